import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, ServerUnavailableError } from '../api/api-client.js';
import { flattenVariants, isOpenRun, type ApiExperiment, type ApiRun } from '../api/api-types.js';
import type { ExperimentsApi } from '../api/experiments-api.js';
import { whileServerAnswers, type ServerWaitOptions } from '../api/server-wait.js';
import { CliError } from '../cli-error.js';
import { baselineName } from '../definition/experiment-definition.js';
import type { LoadedDefinition } from '../definition/load-definition.js';
import type { ProgressDisplay } from '../report/progress-display.js';
import type { RunRecord } from '../report/run-report.js';
import { findExperiment, newExperimentBody } from './experiment-identity.js';
import { matchVariant, nextStep, type Memory, type Observed, type Step } from './next-step.js';
import { serverProblems } from './server-refusal.js';
import { refusedRunSettings, runSettingProblem, runSettingsBody } from './run-options.js';
import type { TaskChoice } from './task-choice.js';

export interface DriveOptions {
  api: ExperimentsApi;
  loaded: LoadedDefinition;
  tasks: TaskChoice;
  display: ProgressDisplay;
  wait: ServerWaitOptions;
  pollIntervalMs: number;
  /** Told the experiment as soon as it is known, so a later failure can still name it. */
  onExperiment?: (experiment: ApiExperiment) => void;
}

export interface Driven {
  experiment: ApiExperiment;
  runs: RunRecord[];
  /** Server variant id per definition variant name (and `baseline`). */
  variantIds: Map<string, string>;
}

// The same step asked for this many times in a row means the server does not take it: stop instead of looping.
const maxRepeats = 5;

/** Whether the server keeps experiment keys, as the last search for the experiment showed. */
interface Identity {
  takesKeys: boolean;
}

async function observe(api: ExperimentsApi, loaded: LoadedDefinition, knownId: string | null, identity: Identity): Promise<Observed> {
  let id = knownId;
  if (id === null) {
    const found = await findExperiment(api, loaded.definition);
    identity.takesKeys = found.takesKeys;
    id = found.experiment?.id ?? null;
  }
  if (id === null) return { experiment: null, runs: [] };
  const [experiment, runs] = await Promise.all([api.getExperiment(id), api.listRuns(id)]);
  return { experiment, runs };
}

/** Server variant id per definition variant name (and `baseline`), for the variants the server has. */
export function variantIdsOf(loaded: LoadedDefinition, experiment: ApiExperiment): Map<string, string> {
  const variants = flattenVariants(experiment.variants);
  const ids = new Map<string, string>();
  const baseline = variants.find((variant) => variant.isBaseline);
  if (baseline) ids.set(baselineName, baseline.id);
  for (const wanted of loaded.definition.variants) {
    const found = matchVariant(variants, wanted);
    if (found) ids.set(wanted.name, found.id);
  }
  return ids;
}

/**
 * Brings the server in line with the definition and runs what has not run, one step at a time: read the state,
 * take the next step, read again. Every read retries while the server is away; a write that got no answer is not
 * repeated blindly but decided again from the state read after it.
 */
export async function driveExperiment(options: DriveOptions): Promise<Driven> {
  const { api, loaded, display } = options;
  const { definition } = loaded;
  const memory: Memory = { started: new Set(), gaveUp: new Set() };
  const records = new Map<string, RunRecord>();
  let experimentId: string | null = null;
  let last: { step: string; times: number } = { step: '', times: 0 };
  const identity: Identity = { takesKeys: true };

  for (;;) {
    const observed = await whileServerAnswers(() => observe(api, loaded, experimentId, identity), options.wait);
    if (observed.experiment) {
      if (experimentId === null) options.onExperiment?.(observed.experiment);
      experimentId = observed.experiment.id;
    }
    const step = nextStep(definition, options.tasks, observed, memory);
    const signature = JSON.stringify(step);
    last = signature === last.step ? { step: signature, times: last.times + 1 } : { step: signature, times: 1 };
    if (last.times > maxRepeats && step.kind !== 'wait_run') {
      throw new CliError(
        `The server keeps needing the same step (${step.kind}) after taking it ${maxRepeats} times; stopping. Check the experiment in the tab.`,
      );
    }

    if (step.kind === 'done') {
      const experiment = observed.experiment!;
      const variantIds = variantIdsOf(loaded, experiment);
      for (const [name, variantId] of variantIds) {
        if (records.has(variantId)) continue;
        const run = observed.runs.find((candidate) => candidate.variantId === variantId && candidate.status === 'completed');
        if (run) records.set(variantId, { variant: name, runId: run.id, number: run.number, status: run.status, action: 'reused' });
      }
      const order = [...variantIds.values()];
      const runs = [...records.entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([, record]) => record);
      return { experiment, runs, variantIds };
    }
    if (step.kind === 'conflict') throw loaded.refuse(step.problems);
    if (step.kind === 'blocked') throw new CliError(step.message);

    try {
      if (step.kind === 'wait_run') {
        const run = await followRun(options, experimentId!, step);
        records.set(run.variantId, {
          variant: step.label,
          runId: run.runId,
          number: run.number,
          status: run.status,
          action: step.startedHere ? 'started' : 'waited',
        });
        if (run.status !== 'completed' && memory.started.has(run.runId)) {
          memory.gaveUp.add(run.variantId);
          display.note(`${step.label}: run #${run.number} ${run.status}${run.error ? `: ${run.error}` : ''}`);
        }
      } else {
        await take(options, experimentId, step, memory, identity);
      }
    } catch (error) {
      // No answer to a write: whether it happened is read back from the server before deciding again.
      if (error instanceof ServerUnavailableError) continue;
      const refused = step.kind === 'start_run' ? refusedRunSettings(error, definition.run) : [];
      if (refused.length > 0) throw loaded.refuse(refused.map(runSettingProblem));
      const problems = serverProblems(step, error);
      if (problems) throw loaded.refuse(problems);
      // Someone else changed the experiment meanwhile (two jobs on one definition): read it again and re-plan.
      if (error instanceof ApiError && error.status === 409 && last.times < maxRepeats) continue;
      throw error;
    }
  }
}

async function take(
  options: DriveOptions,
  experimentId: string | null,
  step: Exclude<Step, { kind: 'done' | 'conflict' | 'blocked' | 'wait_run' }>,
  memory: Memory,
  identity: Identity,
) {
  const { api, loaded, display } = options;
  const { definition } = loaded;
  switch (step.kind) {
    case 'create_experiment': {
      const created = await api.createExperiment(newExperimentBody(definition, identity.takesKeys));
      display.note(`Created experiment "${created.name}" (${created.id}).`);
      return;
    }
    case 'update_experiment': {
      const updated = await api.updateExperiment(experimentId!, step.body);
      if (step.body.taskSource && options.tasks.kind === 'source')
        display.note(`Tasks: the ${updated.taskCount} examples of ${options.tasks.label}.`);
      return;
    }
    case 'set_baseline':
      await api.setBaseline(experimentId!, step.config);
      return;
    case 'create_variant': {
      const { variant } = step;
      await api.createVariant(experimentId!, {
        parentId: step.parentId,
        name: variant.name,
        ...(variant.description === undefined ? {} : { description: variant.description }),
        override: variant.change,
      });
      display.note(
        `Created variant "${variant.name}" (${variant.change.step}.${variant.change.parameter} → ${JSON.stringify(variant.change.value)}).`,
      );
      return;
    }
    case 'start_run': {
      const run = await api.startRun(experimentId!, step.variantId, runSettingsBody(definition.run, { baseline: step.label === baselineName }));
      memory.started.add(run.runId);
      display.track(step.label, run);
      return;
    }
  }
}

async function followRun(options: DriveOptions, experimentId: string, step: Extract<Step, { kind: 'wait_run' }>): Promise<ApiRun> {
  if (!step.startedHere) options.display.note(`${step.label}: a run is already under way; waiting for it.`);
  for (;;) {
    const run = await whileServerAnswers(() => options.api.getRun(experimentId, step.runId), options.wait);
    options.display.track(step.label, run);
    if (!isOpenRun(run)) return run;
    await sleep(options.pollIntervalMs);
  }
}
