import { flattenVariants, isOpenRun, type ApiExperiment, type ApiRunEntry, type ApiVariant } from '../api/api-types.js';
import type { DefinitionProblem } from '../definition/definition-problem.js';
import type { ExperimentUpdate } from '../api/experiments-api.js';
import { baselineName, type ExperimentDefinition, type StepConfig, type VariantDefinition } from '../definition/experiment-definition.js';
import { describeHeldTasks, sameSet, sameTasks, taskUpdate, tasksChosenAlike, type TaskChoice } from './task-choice.js';

/** What the server holds of the experiment right now. */
export interface Observed {
  experiment: ApiExperiment | null;
  /** Newest first, as the API lists them. */
  runs: ApiRunEntry[];
}

/** What this invocation has done so far, so it never starts the same failing run twice. */
export interface Memory {
  /** Runs this invocation started, by run id. */
  started: Set<string>;
  /** Variants (by server id) whose run, started here, ended without completing. */
  gaveUp: Set<string>;
}

/** The one thing to do next to bring the server in line with the definition. */
export type Step =
  | { kind: 'create_experiment' }
  | { kind: 'update_experiment'; body: ExperimentUpdate }
  | { kind: 'set_baseline'; config: StepConfig }
  | { kind: 'start_run'; variantId: string; label: string }
  | { kind: 'wait_run'; runId: string; label: string; startedHere: boolean }
  | { kind: 'create_variant'; variant: VariantDefinition; parentId: string }
  | { kind: 'conflict'; problems: DefinitionProblem[] }
  | { kind: 'blocked'; message: string }
  | { kind: 'done' };

const lockedStatuses = new Set(['baseline_complete', 'running_variant', 'idle', 'completed']);

// Key order must not make two equal configurations look different.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The name a definition uses for a server variant: `baseline` for the root. */
const nameOf = (variant: ApiVariant) => (variant.isBaseline ? baselineName : variant.name);

/** The server's variant for a definition's variant: same name, preferring the one with the same parent and change. */
export function matchVariant(variants: readonly ApiVariant[], wanted: VariantDefinition): ApiVariant | undefined {
  const named = variants.filter((variant) => !variant.isBaseline && variant.name === wanted.name);
  const byId = new Map(variants.map((variant) => [variant.id, variant]));
  const parentName = (variant: ApiVariant) => {
    const parent = variant.parentId === null ? undefined : byId.get(variant.parentId);
    return parent ? nameOf(parent) : null;
  };
  return named.find((variant) => parentName(variant) === (wanted.parent ?? baselineName) && sameChange(variant, wanted)) ?? named[0];
}

function sameChange(variant: ApiVariant, wanted: VariantDefinition): boolean {
  const override = variant.override;
  return (
    override !== null &&
    override.step === wanted.change.step &&
    override.parameter === wanted.change.parameter &&
    override.value === wanted.change.value
  );
}

function lockedDifferences(definition: ExperimentDefinition, tasks: TaskChoice, experiment: ApiExperiment): DefinitionProblem[] {
  const locked = 'the experiment is locked since its baseline completed';
  const advice = 'give the definition a new name (or key) to start a new experiment';
  const problems: DefinitionProblem[] = [];
  if (!sameSet(definition.steps, experiment.stepIds)) {
    problems.push({ path: ['steps'], message: `${locked} with steps ${experiment.stepIds.join(', ')}; ${advice}` });
  }
  if (!sameTasks(tasks, experiment)) {
    problems.push({
      // Another split of the same dataset is wrong at the split; another dataset, at the dataset.
      path:
        tasks.kind === 'ids'
          ? ['tasks']
          : experiment.taskSource?.sourceId === tasks.sourceId
            ? ['tasks', 'split']
            : ['tasks', 'phoenix_dataset'],
      message: `${locked} with ${tasks.kind === 'source' ? describeHeldTasks(experiment) : `${experiment.taskCount} other tasks`}; ${advice}`,
    });
  }
  const steps = new Set([...Object.keys(definition.baseline), ...Object.keys(experiment.baselineConfig)]);
  for (const step of steps) {
    const wanted = definition.baseline[step] ?? {};
    const held = experiment.baselineConfig[step] ?? {};
    for (const parameter of new Set([...Object.keys(wanted), ...Object.keys(held)])) {
      const a = (wanted as Record<string, unknown>)[parameter];
      const b = (held as Record<string, unknown>)[parameter];
      if (a !== b) {
        const path = a === undefined ? ['baseline', step] : ['baseline', step, parameter];
        problems.push({
          path,
          message: `${locked} with ${step}.${parameter} = ${b === undefined ? 'unset' : JSON.stringify(b)}; ${advice}`,
        });
      }
    }
  }
  return problems;
}

function variantDifferences(definition: ExperimentDefinition, variants: readonly ApiVariant[]): DefinitionProblem[] {
  const byId = new Map(variants.map((variant) => [variant.id, variant]));
  return definition.variants.flatMap((wanted) => {
    const found = matchVariant(variants, wanted);
    if (!found) return [];
    const { index } = wanted;
    const parent = found.parentId === null ? undefined : byId.get(found.parentId);
    const problems: DefinitionProblem[] = [];
    if (parent && nameOf(parent) !== (wanted.parent ?? baselineName)) {
      problems.push({
        path: ['variants', index, 'parent'],
        message: `the experiment already has a variant "${wanted.name}" branched from "${nameOf(parent)}"; rename this one to make a new variant`,
      });
    }
    if (!sameChange(found, wanted)) {
      const held = found.override
        ? `${found.override.step}.${found.override.parameter} = ${JSON.stringify(found.override.value)}`
        : 'no change';
      problems.push({
        path: ['variants', index, 'change'],
        message: `the experiment already has a variant "${wanted.name}" with ${held}; rename this one to make a new variant`,
      });
    }
    return problems;
  });
}

/**
 * The next step towards the state the definition describes, from what the server holds now. Applied one at a
 * time, with the server read again after each, it creates nothing twice: a second run of the same file finds
 * its experiment, variants and completed runs and starts only what has not run.
 */
export function nextStep(definition: ExperimentDefinition, tasks: TaskChoice, observed: Observed, memory: Memory): Step {
  const { experiment, runs } = observed;
  if (experiment === null) return { kind: 'create_experiment' };
  const variants = flattenVariants(experiment.variants);
  const baseline = variants.find((variant) => variant.isBaseline);
  const description =
    definition.hypothesis !== undefined && definition.hypothesis !== experiment.description ? { description: definition.hypothesis } : {};
  const open = runs.find(isOpenRun);
  const labelOf = (variantId: string) => {
    const variant = variants.find((candidate) => candidate.id === variantId);
    return variant ? nameOf(variant) : variantId;
  };
  if (open) return { kind: 'wait_run', runId: open.id, label: labelOf(open.variantId), startedHere: memory.started.has(open.id) };

  if (!lockedStatuses.has(experiment.status)) {
    const selection = {
      ...(sameSet(definition.steps, experiment.stepIds) ? {} : { inferenceSteps: definition.steps }),
      ...(tasksChosenAlike(tasks, experiment) ? {} : taskUpdate(tasks)),
    };
    if (Object.keys(selection).length > 0 || Object.keys(description).length > 0)
      return { kind: 'update_experiment', body: { ...description, ...selection } };
    if (!baseline || canonical(definition.baseline) !== canonical(experiment.baselineConfig))
      return { kind: 'set_baseline', config: definition.baseline };
    if (memory.gaveUp.has(baseline.id)) {
      const last = runs.find((run) => run.variantId === baseline.id);
      return {
        kind: 'blocked',
        message: `The baseline run ${last ? `#${last.number} ` : ''}ended ${last?.status ?? 'without completing'}, so no variant can be compared; see \`experiments status ${experiment.id}\`.`,
      };
    }
    return { kind: 'start_run', variantId: baseline.id, label: baselineName };
  }

  const conflicts = [...lockedDifferences(definition, tasks, experiment), ...variantDifferences(definition, variants)];
  if (conflicts.length > 0) return { kind: 'conflict', problems: conflicts };
  if (Object.keys(description).length > 0) return { kind: 'update_experiment', body: description };

  for (const wanted of definition.variants) {
    if (matchVariant(variants, wanted)) continue;
    const parent =
      wanted.parent === null
        ? baseline
        : matchVariant(
            variants,
            definition.variants.find((v) => v.name === wanted.parent)!,
          );
    if (!parent) return { kind: 'blocked', message: `The parent "${wanted.parent}" of "${wanted.name}" is not on the server yet.` };
    if (experiment.status === 'completed') {
      return {
        kind: 'blocked',
        message: `The experiment is completed, so it takes no new variant ("${wanted.name}"); give the definition a new name (or key) to start a new experiment.`,
      };
    }
    return { kind: 'create_variant', variant: wanted, parentId: parent.id };
  }

  for (const wanted of definition.variants) {
    const variant = matchVariant(variants, wanted)!;
    const completed = runs.some((run) => run.variantId === variant.id && run.status === 'completed');
    if (completed || memory.gaveUp.has(variant.id)) continue;
    if (experiment.status === 'completed') {
      return {
        kind: 'blocked',
        message: `The experiment is completed, so "${wanted.name}" can no longer run; give the definition a new name (or key) to start a new experiment.`,
      };
    }
    return { kind: 'start_run', variantId: variant.id, label: wanted.name };
  }
  return { kind: 'done' };
}
