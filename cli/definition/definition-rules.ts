import type { DefinitionProblem } from './definition-problem.js';
import type { DefinitionInput } from './definition-schema.js';
import {
  baselineName,
  type Change,
  type ExperimentDefinition,
  type GateDefinition,
  type StepConfig,
  type TaskSelection,
  type VariantDefinition,
} from './experiment-definition.js';
import { isParameterName, parameterSchemas, unknownParameterMessage, type ParameterValue } from './parameter-rules.js';

const tasksShape = 'tasks must be `all`, a list of task ids, or { phoenix_dataset: <name>, split: <name> }';
const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const quoted = (values: readonly string[]) => values.map((value) => JSON.stringify(value)).join(', ');

function readTasks(value: unknown, problems: DefinitionProblem[]): TaskSelection {
  if (value === 'all') return { kind: 'all' };
  if (Array.isArray(value)) {
    if (value.length === 0) problems.push({ path: ['tasks'], message: 'tasks must list at least one task id (or be `all`)' });
    const seen = new Set<string>();
    value.forEach((id, index) => {
      if (typeof id !== 'string' || id.trim() === '') {
        problems.push({ path: ['tasks', index], message: 'a task id must be non-empty text' });
      } else if (seen.has(id.trim())) {
        problems.push({ path: ['tasks', index], message: `task ${JSON.stringify(id)} is listed more than once` });
      } else {
        seen.add(id.trim());
      }
    });
    return { kind: 'ids', ids: [...seen] };
  }
  if (isMapping(value)) {
    for (const key of Object.keys(value)) {
      if (key !== 'phoenix_dataset' && key !== 'split') {
        problems.push({
          path: ['tasks', key],
          at: 'key',
          message: `unknown field "${key}"; a dataset selection has phoenix_dataset and (optionally) split`,
        });
      }
    }
    const { phoenix_dataset: dataset, split } = value;
    if (typeof dataset !== 'string' || dataset.trim() === '') {
      problems.push({
        path: dataset === undefined ? ['tasks'] : ['tasks', 'phoenix_dataset'],
        message: 'tasks.phoenix_dataset must name a Phoenix dataset',
      });
    }
    if (split !== undefined && (typeof split !== 'string' || split.trim() === '')) {
      problems.push({ path: ['tasks', 'split'], message: 'tasks.split must name a split of the dataset' });
    }
    return { kind: 'phoenix_dataset', dataset: String(dataset ?? ''), ...(typeof split === 'string' ? { split } : {}) };
  }
  problems.push({ path: ['tasks'], message: tasksShape });
  return { kind: 'all' };
}

function readChange(
  variant: DefinitionInput['variants'][number],
  index: number,
  steps: readonly string[],
  problems: DefinitionProblem[],
): Change | null {
  const path = ['variants', index, 'change'];
  const changes = Object.entries(variant.change).flatMap(([step, parameters]) =>
    Object.entries(parameters).map(([parameter, value]) => ({ step, parameter, value })),
  );
  if (changes.length !== 1) {
    const listed = changes.map((change) => `${change.step}.${change.parameter}`).join(', ');
    problems.push({
      path,
      message:
        changes.length === 0
          ? 'a variant changes exactly one parameter; this one changes none'
          : `a variant changes exactly one parameter; this one changes ${changes.length} (${listed}): make one variant per change, chained with parent: if they build on each other`,
    });
    return null;
  }
  const [{ step, parameter, value }] = changes as [{ step: string; parameter: string; value: unknown }];
  if (!steps.includes(step)) {
    problems.push({ path: [...path, step], at: 'key', message: `unknown step "${step}"; the steps in scope are ${quoted(steps)}` });
    return null;
  }
  if (!isParameterName(parameter)) {
    problems.push({ path: [...path, step, parameter], at: 'key', message: unknownParameterMessage(parameter) });
    return null;
  }
  const parsed = parameterSchemas[parameter].safeParse(value);
  if (!parsed.success) {
    problems.push({ path: [...path, step, parameter], message: parsed.error.issues[0]?.message ?? `${parameter} is not valid` });
    return null;
  }
  return { step, parameter, value: parsed.data };
}

function effectiveValue(
  variant: VariantDefinition,
  byName: ReadonlyMap<string, VariantDefinition>,
  baseline: StepConfig,
  change: Change,
): ParameterValue | undefined {
  // The value the parent runs with: the nearest ancestor that changed this parameter, else the baseline's.
  let current = variant.parent === null ? undefined : byName.get(variant.parent);
  const seen = new Set<string>();
  while (current && !seen.has(current.name)) {
    seen.add(current.name);
    if (current.change.step === change.step && current.change.parameter === change.parameter) return current.change.value;
    current = current.parent === null ? undefined : byName.get(current.parent);
  }
  return baseline[change.step]?.[change.parameter];
}

/**
 * Checks the references between a definition's fields (steps, parents, gates) and turns the file's shape into an
 * `ExperimentDefinition`; every problem is reported, with the field it is at.
 */
export function checkDefinition(input: DefinitionInput): { definition: ExperimentDefinition; problems: DefinitionProblem[] } {
  const problems: DefinitionProblem[] = [];
  const steps: string[] = [];
  input.steps.forEach((step, index) => {
    if (steps.includes(step)) problems.push({ path: ['steps', index], message: `step "${step}" is listed more than once` });
    else steps.push(step);
  });

  for (const step of Object.keys(input.baseline)) {
    if (!steps.includes(step)) {
      problems.push({ path: ['baseline', step], at: 'key', message: `unknown step "${step}"; the steps in scope are ${quoted(steps)}` });
    }
  }
  const baseline = input.baseline as StepConfig;
  const tasks = readTasks(input.tasks, problems);

  const variants: VariantDefinition[] = [];
  const indexOf = new Map<string, number>();
  input.variants.forEach((variant, index) => {
    if (variant.name.toLowerCase() === baselineName) {
      problems.push({ path: ['variants', index, 'name'], message: `"${variant.name}" is reserved for the baseline; choose another name` });
    } else if (indexOf.has(variant.name)) {
      problems.push({
        path: ['variants', index, 'name'],
        message: `another variant (variants[${indexOf.get(variant.name)}]) is already named "${variant.name}"`,
      });
    } else {
      indexOf.set(variant.name, index);
    }
    const change = readChange(variant, index, steps, problems);
    if (change) {
      const parent = variant.parent === undefined || variant.parent.toLowerCase() === baselineName ? null : variant.parent;
      variants.push({
        index,
        name: variant.name,
        ...(variant.description === undefined ? {} : { description: variant.description }),
        parent,
        change,
      });
    }
  });

  const byName = new Map(variants.map((variant) => [variant.name, variant]));
  input.variants.forEach((variant, index) => {
    const parent = variant.parent;
    if (parent === undefined || parent.toLowerCase() === baselineName) return;
    if (parent === variant.name) {
      problems.push({ path: ['variants', index, 'parent'], message: 'a variant cannot be its own parent' });
    } else if (!indexOf.has(parent)) {
      problems.push({
        path: ['variants', index, 'parent'],
        message: `no variant is named "${parent}"; parent must be \`baseline\` or the name of another variant in this file`,
      });
    }
  });
  // A chain of parents that loops back never reaches the baseline.
  const looping = new Set<string>();
  for (const variant of variants) {
    const seen = new Set<string>([variant.name]);
    let parent = variant.parent;
    while (parent !== null && byName.has(parent)) {
      if (seen.has(parent)) {
        looping.add(variant.name);
        problems.push({
          path: ['variants', variant.index, 'parent'],
          message: `the parents of "${variant.name}" form a loop (${[...seen].join(' → ')} → ${parent})`,
        });
        break;
      }
      seen.add(parent);
      parent = byName.get(parent)!.parent;
    }
  }
  for (const variant of variants) {
    if (looping.has(variant.name)) continue;
    const before = effectiveValue(variant, byName, baseline, variant.change);
    if (before === variant.change.value) {
      problems.push({
        path: ['variants', variant.index, 'change', variant.change.step, variant.change.parameter],
        message: `${variant.change.step}.${variant.change.parameter} is already ${JSON.stringify(before)} in the parent (${variant.parent ?? baselineName}); a variant must change it`,
      });
    }
  }

  const gates: GateDefinition[] = [];
  input.gates.forEach((gate, index) => {
    const isBaseline = gate.variant.toLowerCase() === baselineName;
    if (!isBaseline && !indexOf.has(gate.variant)) {
      const names = [baselineName, ...indexOf.keys()];
      problems.push({
        path: ['gates', index, 'variant'],
        message: `no variant is named "${gate.variant}"; gates may name ${quoted(names)}`,
      });
    }
    if (gate.fail_if === undefined && gate.min_pass_rate === undefined) {
      problems.push({ path: ['gates', index], message: 'a gate needs fail_if (worse or not_better) or min_pass_rate' });
    }
    if (isBaseline && gate.fail_if !== undefined) {
      problems.push({
        path: ['gates', index, 'fail_if'],
        message: 'the baseline is not compared with itself; give it a min_pass_rate instead',
      });
    }
    gates.push({
      variant: isBaseline ? baselineName : gate.variant,
      ...(gate.fail_if === undefined ? {} : { failIf: gate.fail_if }),
      ...(gate.min_pass_rate === undefined ? {} : { minPassRate: gate.min_pass_rate }),
    });
  });

  const definition: ExperimentDefinition = {
    name: input.name,
    key: input.key ?? input.name,
    ...(input.hypothesis === undefined ? {} : { hypothesis: input.hypothesis }),
    steps,
    tasks,
    baseline,
    variants: parentsFirst(variants),
    run: input.run,
    gates,
  };
  return { definition, problems };
}

// Variants are created parents first; otherwise in the order written.
function parentsFirst(variants: readonly VariantDefinition[]): VariantDefinition[] {
  const placed = new Set<string>();
  const ordered: VariantDefinition[] = [];
  const place = (variant: VariantDefinition, depth: number) => {
    if (placed.has(variant.name) || depth > variants.length) return;
    const parent = variant.parent === null ? undefined : variants.find((other) => other.name === variant.parent);
    if (parent) place(parent, depth + 1);
    placed.add(variant.name);
    ordered.push(variant);
  };
  for (const variant of variants) place(variant, 0);
  return ordered;
}
