import { z } from 'zod';
import type { ExperimentsConfig } from '../config.js';
import { ExperimentsError } from '../errors.js';
import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { startRunWorkflow } from './workflow-client.js';
import { createRun } from '../store/run-creation.js';
import type { Caller } from './caller.js';
import { getRun, type RunProgress } from './run-progress.js';

/** The settings of a new run; concurrency is capped by the plugin's configuration. */
export const runSettingsSchema = (config: Pick<ExperimentsConfig, 'maxConcurrency'>) =>
  z.strictObject({
    concurrency: z.number().int().min(1).max(config.maxConcurrency, `concurrency is at most ${config.maxConcurrency} here`).optional(),
    repeats: z.number().int().min(1).max(20).optional(),
    traceTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
    taskRule: z.enum(['all', 'majority', 'any']).optional(),
  });
export type RunSettingsInput = z.output<ReturnType<typeof runSettingsSchema>>;

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
  const experimentId = requireUuid(ids.experimentId, 'Experiment');
  const variantId = requireUuid(ids.variantId, 'Variant');
  const { projectId, actor } = caller;
  const variant = await db
    .selectFrom('variants')
    .innerJoin('experiments', 'experiments.id', 'variants.experiment_id')
    .select(['variants.is_baseline'])
    .where('variants.id', '=', variantId)
    .where('variants.experiment_id', '=', experimentId)
    .where('experiments.project_id', '=', projectId)
    .executeTakeFirst();
  if (!variant) throw new ExperimentsError('not_found', `Variant ${variantId} was not found in this experiment.`);
  let tasks = null;
  if (variant.is_baseline) {
    const ids = (await db.selectFrom('experiment_tasks').select('task_id').where('experiment_id', '=', experimentId).execute()).map((r) => r.task_id);
    tasks = ids.length > 0 ? await host.tasks.getMany(projectId, ids) : [];
  }
  const run = await createRun(db, {
    projectId,
    experimentId,
    variantId,
    actor,
    tasks,
    settings: {
      concurrency: input.concurrency ?? Math.min(config.defaultConcurrency, config.maxConcurrency),
      repeats: input.repeats ?? 1,
      traceTimeoutSeconds: input.traceTimeoutSeconds ?? config.defaultTraceTimeoutSeconds,
      taskRule: input.taskRule ?? 'all',
    },
  });
  await startRunWorkflow(context, run.runId, run.workflowId, actor);
  return getRun(context, caller, { experimentId, runId: run.runId });
}
