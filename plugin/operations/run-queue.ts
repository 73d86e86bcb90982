import { z } from 'zod';
import { isLocked, isRunning } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import { recordExperimentEdit } from '../store/experiment-repository.js';
import {
  clearRunQueue,
  enqueueRuns,
  experimentProjectOf,
  findOpenRun,
  listQueuedRuns,
  lockFirstQueuedRun,
  removeQueuedRun,
  removeQueuedRuns,
  type QueuedRun,
} from '../store/run-queue-repository.js';
import { listVariants } from '../store/variant-repository.js';
import { refreshTestStatistics } from '../store/test-statistics.js';
import { prepareSpanCursor } from '../traces/span-puller.js';
import type { Caller } from './caller.js';
import { refuseArchived } from './experiment-guards.js';
import { requireUuid } from './ids.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import type { PluginContext } from './plugin-context.js';
import { createRunIn, resolvedRunSettings, runSettingsSchema } from './start-run.js';
import { wakeRunQueue } from './workflow-client.js';

/** `{ variantIds?, settings? }`: without ids, every draft variant, in the order they were created. */
export const queueRunsSchema = (config: Pick<ExperimentsConfig, 'maxConcurrency'>) =>
  z.strictObject({
    variantIds: z
      .array(z.string({ error: 'variantIds must be strings' }).max(100), { error: 'variantIds must be an array of variant ids' })
      .min(1, { error: 'variantIds must not be empty; leave it out to queue every draft variant' })
      .max(200)
      .optional(),
    settings: runSettingsSchema(config).optional(),
  });
export type QueueRunsInput = z.output<ReturnType<typeof queueRunsSchema>>;

/** The settings a queued run starts with: resolved when it is queued, so later defaults cannot change it. */
type QueuedSettings = ReturnType<typeof resolvedRunSettings>;

export interface RunQueueView {
  queue: QueuedRun[];
}

/** The experiment's queued runs, first to run first. */
export async function getRunQueue(context: PluginContext, caller: Caller, experimentId: string | undefined): Promise<RunQueueView> {
  const scope = experimentScope(caller, experimentId);
  await loadExperiment(context.db, scope);
  return { queue: await listQueuedRuns(context.db, scope) };
}

/**
 * Queues runs of variants ("Run all drafts"): they start one after another, each when the experiment is free, from a
 * queue kept in Postgres and worked by a Temporal workflow, so nothing is lost to a restart. Only once the baseline has
 * completed and while the experiment is open.
 */
export async function queueRuns(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  input: QueueRunsInput,
): Promise<RunQueueView & { added: number }> {
  const { db, config } = context;
  const scope = experimentScope(caller, experimentId);
  const added = await db.transaction().execute(async (trx) => {
    const experiment = await loadExperiment(trx, scope, true);
    if (experiment.status === 'archived') throw refuseArchived(experiment);
    if (experiment.status === 'completed') {
      throw new ExperimentsError('conflict', 'Cannot queue runs: the experiment is completed; it can only be archived.');
    }
    if (!isLocked(experiment.status)) {
      throw new ExperimentsError('conflict', 'Cannot queue variant runs before the baseline has completed: run the baseline first.', {
        status: experiment.status,
      });
    }
    const variants = (await listVariants(trx, scope)).filter((variant) => !variant.isBaseline);
    let targets: string[];
    if (input.variantIds) {
      const known = new Map(variants.map((variant) => [variant.id, variant]));
      const unknown = input.variantIds.filter((id) => !known.has(id.toLowerCase()));
      if (unknown.length > 0) {
        throw new ExperimentsError(
          'unprocessable',
          `Not variants of this experiment (the baseline is never queued): ${unknown.slice(0, 10).join(', ')}.`,
          {
            unknown: unknown.slice(0, 50),
          },
        );
      }
      targets = [...new Set(input.variantIds.map((id) => id.toLowerCase()))];
    } else {
      targets = variants.filter((variant) => variant.status === 'draft').map((variant) => variant.id);
      if (targets.length === 0)
        throw new ExperimentsError('unprocessable', 'There are no draft variants to run: every variant has run already.');
    }
    const settings: QueuedSettings = resolvedRunSettings(input.settings ?? {}, config);
    const ids = await enqueueRuns(trx, { experimentId: scope.experimentId, variantIds: targets, settings, createdBy: caller.actor });
    if (ids.length > 0) {
      await recordExperimentEdit(trx, {
        experimentId: scope.experimentId,
        actor: caller.actor,
        kind: 'runs_queued',
        details: { count: ids.length },
      });
    }
    return ids;
  });
  try {
    await wakeRunQueue(context, scope.experimentId);
  } catch (error) {
    await removeQueuedRuns(db, added);
    throw error;
  }
  return { queue: await listQueuedRuns(db, scope), added: added.length };
}

/** Takes a run out of the queue before it starts (a run that has started is cancelled as a run). */
export async function removeFromRunQueue(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; entryId: string | undefined },
): Promise<RunQueueView> {
  const scope = experimentScope(caller, ids.experimentId);
  const entryId = requireUuid(ids.entryId, 'Queued run');
  await loadExperiment(context.db, scope);
  if (!(await removeQueuedRun(context.db, scope.experimentId, entryId))) {
    throw new ExperimentsError(
      'not_found',
      `Queued run ${entryId} is not in this experiment's queue: it may have started already (cancel it as a run).`,
    );
  }
  return { queue: await listQueuedRuns(context.db, scope) };
}

/** Empties the experiment's queue; a run already going goes on. */
export async function clearExperimentRunQueue(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
): Promise<RunQueueView & { removed: number }> {
  const scope = experimentScope(caller, experimentId);
  await loadExperiment(context.db, scope);
  return { queue: [], removed: await clearRunQueue(context.db, scope.experimentId) };
}

/** What the queue's workflow does next: stop, wait for (or adopt) the run that is open, or follow the run it started. */
export type QueueStep =
  { kind: 'empty' } | { kind: 'open'; runId: string; workflowId: string } | { kind: 'started'; runId: string; workflowId: string };

/**
 * Starts the experiment's first queued run when the experiment is free (called by the queue's workflow). A queued run
 * that cannot start (its variant is gone, the experiment was completed) is dropped with an event saying why.
 */
export async function startNextQueuedRun(
  deps: { db: Db; host: ExperimentsHost; config: ExperimentsConfig },
  experimentId: string,
): Promise<QueueStep> {
  const { db, host } = deps;
  // Each pass either returns or drops an entry; the bound only guards against a status no run explains.
  for (let pass = 0; pass < 1_000; pass++) {
    const projectId = await experimentProjectOf(db, experimentId);
    if (!projectId) return { kind: 'empty' };
    const open = await findOpenRun(db, experimentId);
    if (open) return { kind: 'open', runId: open.id, workflowId: open.workflow_id };
    await prepareSpanCursor(db, host, projectId);
    let failed: string | null = null;
    let createdTests = 0;
    const step = await db
      .transaction()
      .execute(async (trx): Promise<QueueStep | null> => {
        const experiment = await loadExperiment(trx, { projectId, experimentId }, true);
        if (isRunning(experiment.status)) return null;
        if (experiment.status !== 'baseline_complete' && experiment.status !== 'idle') {
          const dropped = await clearRunQueue(trx, experimentId);
          if (dropped > 0) {
            await recordExperimentEdit(trx, {
              experimentId,
              actor: 'system',
              kind: 'queue_cleared',
              details: { dropped, status: experiment.status },
            });
          }
          return { kind: 'empty' };
        }
        const entry = await lockFirstQueuedRun(trx, experimentId);
        if (!entry) return { kind: 'empty' };
        failed = entry.id;
        await removeQueuedRun(trx, experimentId, entry.id);
        const settings = entry.settings as unknown as QueuedSettings;
        const run = await createRunIn(trx, {
          projectId,
          experimentId,
          variantId: entry.variant_id,
          actor: entry.created_by ?? 'system',
          tasks: null,
          ...settings,
        });
        createdTests = run.total;
        return { kind: 'started', runId: run.runId, workflowId: run.workflowId };
      })
      .catch(async (error: unknown) => {
        if (!(error instanceof ExperimentsError) || failed === null) throw error;
        await removeQueuedRun(db, experimentId, failed);
        await recordExperimentEdit(db, {
          experimentId,
          actor: 'system',
          kind: 'queued_run_dropped',
          details: { entryId: failed, reason: error.message },
        });
        return null;
      });
    if (step?.kind === 'started') await refreshTestStatistics(db, createdTests);
    if (step) return step;
  }
  return { kind: 'empty' };
}
