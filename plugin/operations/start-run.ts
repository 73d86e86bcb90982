import { randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ExperimentsConfig } from '../config.js';
import { checkRunStart, checkTasksExist, scopedConfig } from '../domain/run-rules.js';
import { effectiveConfig } from '../domain/variant-tree.js';
import { ExperimentsError } from '../errors.js';
import type { HostTask } from '../host.js';
import type { Db } from '../store/connect.js';
import { listExperimentSteps, listExperimentTaskIds } from '../store/experiment-repository.js';
import { transitionExperiment } from '../store/experiment-transitions.js';
import { insertRun, nextRunNumber, snapshotExperimentTasks, type RunSettings } from '../store/run-creation.js';
import { findVariant, listVariants } from '../store/variant-repository.js';
import { unqueueVariant } from '../store/run-queue-repository.js';
import { runWorkflowId } from '../../workflows/shared.js';
import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { startRunWorkflow } from './workflow-client.js';
import type { Caller } from './caller.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import { getRun, type RunProgress } from './run-progress.js';
import { getTaskSource, pinTaskSource } from '../store/task-source-repository.js';
import { refreshTestStatistics } from '../store/test-statistics.js';
import { prepareSpanCursor } from '../traces/span-puller.js';

/** The settings of a new run; concurrency is capped by the plugin's configuration. */
export const runSettingsSchema = (config: Pick<ExperimentsConfig, 'maxConcurrency'>) =>
  z.strictObject({
    concurrency: z.number().int().min(1).max(config.maxConcurrency, `concurrency is at most ${config.maxConcurrency} here`).optional(),
    repeats: z.number().int().min(1).max(20).optional(),
    traceTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
    taskRule: z.enum(['all', 'majority', 'any']).optional(),
    /** Stop sending once the verdict against the baseline is decided (issue 15); variants only. */
    stopWhenDecided: z.boolean().optional(),
    /** Stop sending once the run's traces have cost this many US dollars, or used this many tokens. */
    maxCostUsd: z.number().positive().max(1_000_000).optional(),
    maxTokens: z.number().int().positive().max(2_000_000_000).optional(),
  });
/** The level a run that stops when decided decides at, before it is split over the experiment's variants. */
const stopLevel = 0.05;

export type RunSettingsInput = z.output<ReturnType<typeof runSettingsSchema>>;

/**
 * Creates a run and all its tests in one transaction and moves the experiment to running; the database's
 * one-active-run index backs the state machine against a concurrent start. `tasks` is the host's current view of
 * the experiment's tasks, snapshotted when the baseline starts (null for a variant).
 */
export async function createRun(db: Db, input: CreateRunInput) {
  return db.transaction().execute((trx) => createRunIn(trx, input));
}

export interface CreateRunInput {
  projectId: string;
  experimentId: string;
  variantId: string;
  actor: string;
  settings: Omit<RunSettings, 'stopWhenDecided'>;
  /** Stop when decided; the level is α split over the experiment's variants, so Holm across them keeps each decision. */
  stopWhenDecided: boolean;
  tasks: HostTask[] | null;
  /** The version of the experiment's task source the baseline's tasks were read at. */
  sourceVersion?: string;
}

/** `createRun` inside a transaction the caller holds (the run queue takes its entry and starts the run in one). */
export async function createRunIn(trx: Db, input: CreateRunInput) {
  const scope = { projectId: input.projectId, experimentId: input.experimentId };
  const experiment = await loadExperiment(trx, scope, true);
  const variant = await findVariant(trx, scope, input.variantId);
  if (!variant) throw new ExperimentsError('not_found', `Variant ${input.variantId} was not found in this experiment.`);
  const steps = (await listExperimentSteps(trx, scope)).map((step) => step.externalId);
  const taskIds = await listExperimentTaskIds(trx, scope);
  const event = checkRunStart(experiment.status, variant.isBaseline, { steps: steps.length, tasks: taskIds.length });
  if (input.stopWhenDecided && variant.isBaseline) {
    throw new ExperimentsError(
      'unprocessable',
      'Stopping when decided compares a variant with the baseline: the baseline runs every task.',
    );
  }
  if (variant.isBaseline) {
    const found = new Set((input.tasks ?? []).map((task) => task.id));
    checkTasksExist(taskIds.filter((id) => !found.has(id)));
    await snapshotExperimentTasks(trx, experiment.id, input.tasks ?? []);
    if (input.sourceVersion) await pinTaskSource(trx, experiment.id, input.sourceVersion);
  }
  const config = scopedConfig(effectiveConfig(await listVariants(trx, scope), variant.id, experiment.baselineConfig), steps);
  const number = await nextRunNumber(trx, variant.id);
  // A variant run now, by hand or from the queue, leaves the queue: it would otherwise run twice.
  await unqueueVariant(trx, variant.id);
  const variants = (await listVariants(trx, scope)).filter((v) => !v.isBaseline).length;
  const stopWhenDecided = input.stopWhenDecided ? { alpha: stopLevel / Math.max(1, variants), orderSeed: randomInt(2 ** 31) } : null;
  const runId = randomUUID();
  const workflowId = runWorkflowId(runId);
  const { total } = await insertRun(trx, {
    id: runId,
    experimentId: experiment.id,
    variantId: variant.id,
    number,
    isBaseline: variant.isBaseline,
    settings: { ...input.settings, stopWhenDecided },
    config,
    workflowId,
    createdBy: input.actor,
    taskIds,
  });
  await transitionExperiment(trx, {
    experimentId: experiment.id,
    event,
    actor: input.actor,
    reason: `${variant.isBaseline ? 'baseline' : `variant "${variant.name}"`} run #${number} started (${total} tests)`,
    details: { runId, variantId: variant.id },
  });
  return { runId, number, total, config, workflowId, isBaseline: variant.isBaseline };
}

/**
 * Runs a variant (or the baseline) over the experiment's tasks: creates the run and its tests, moves the
 * experiment to running and starts the run's workflow. Running the baseline snapshots the tasks as the host has them.
 */
export async function startRun(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; variantId: string | undefined },
  input: RunSettingsInput,
): Promise<RunProgress> {
  const { db, config, host } = context;
  const scope = experimentScope(caller, ids.experimentId);
  const variantId = requireUuid(ids.variantId, 'Variant');
  const { projectId, actor } = caller;
  const variant = await findVariant(db, scope, variantId);
  if (!variant) throw new ExperimentsError('not_found', `Variant ${variantId} was not found in this experiment.`);
  let tasks = null;
  let sourceVersion: string | undefined;
  if (variant.isBaseline) {
    const taskIds = await listExperimentTaskIds(db, scope);
    const source = await getTaskSource(db, scope.experimentId);
    if (source && host.tasks.fromSource && taskIds.length > 0) {
      // Read at the source's latest version, which is pinned: later edits in the host cannot change the experiment.
      const read = await readSource(() =>
        host.tasks.fromSource!(projectId, { sourceId: source.sourceId, ...(source.splits ? { splits: source.splits } : {}) }),
      );
      const wanted = new Set(taskIds);
      tasks = read.tasks.filter((task) => wanted.has(task.id));
      sourceVersion = read.version;
    } else {
      tasks = taskIds.length > 0 ? await host.tasks.getMany(projectId, taskIds) : [];
    }
  }
  // The host's first run opens its Temporal connection while the run is written, not after (some 20 ms); a failure
  // here is met again, and reported, when the workflow is started.
  context.temporal().catch(() => undefined);
  await prepareSpanCursor(db, host, projectId);
  const run = await createRun(db, {
    projectId,
    experimentId: scope.experimentId,
    variantId,
    actor,
    tasks,
    ...(sourceVersion ? { sourceVersion } : {}),
    ...resolvedRunSettings(input, config),
  });
  await startRunWorkflow(context, run.runId, run.workflowId, actor);
  // After the start and not waited for: neither the run's first webhook nor the caller needs the statistics, which an
  // ANALYZE of a large table takes a while to gather (refreshTestStatistics logs its own failure).
  context.background.start("gathering the tests table's statistics failed", () => refreshTestStatistics(db, run.total));
  return getRun(context, caller, { experimentId: scope.experimentId, runId: run.runId });
}

/** A run's settings with the plugin's defaults filled in, as `createRun` takes them. */
export function resolvedRunSettings(
  input: RunSettingsInput,
  config: Pick<ExperimentsConfig, 'defaultConcurrency' | 'maxConcurrency' | 'defaultTraceTimeoutSeconds'>,
) {
  return {
    settings: {
      concurrency: input.concurrency ?? Math.min(config.defaultConcurrency, config.maxConcurrency),
      repeats: input.repeats ?? 1,
      traceTimeoutSeconds: input.traceTimeoutSeconds ?? config.defaultTraceTimeoutSeconds,
      taskRule: input.taskRule ?? ('all' as const),
      maxCost: input.maxCostUsd ?? null,
      maxTokens: input.maxTokens ?? null,
    },
    stopWhenDecided: input.stopWhenDecided ?? false,
  };
}

/** A task source the host cannot read now is a 503 (try again), one it no longer has a 422. */
async function readSource<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ExperimentsError) throw error;
    const gone = (error as { status?: unknown }).status === 404;
    throw new ExperimentsError(
      gone ? 'unprocessable' : 'unavailable',
      `The experiment's task source could not be read${gone ? ': the host no longer has it' : ''}; the run was not started. ${(error as Error).message}`,
    );
  }
}
