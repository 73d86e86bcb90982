import { sql } from 'kysely';
import { openRunStatuses } from '../domain/experiment-status.js';
import type { ExperimentConfig } from '../domain/parameters.js';
import type { Db } from './connect.js';
import { transitionExperiment } from './experiment-transitions.js';
import { closeOutstandingTests, countTests, markOutstandingNotRun, type StatusCounts } from './test-repository.js';

export interface RunContext {
  runId: string;
  experimentId: string;
  projectId: string;
  variantId: string;
  isBaseline: boolean;
  status: string;
  concurrency: number;
  repeats: number;
  traceTimeoutSeconds: number;
  config: ExperimentConfig;
  total: number;
}

export async function getRunContext(db: Db, runId: string): Promise<RunContext | null> {
  const row = await db
    .selectFrom('runs')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .select([
      'runs.id', 'runs.experiment_id', 'experiments.project_id', 'runs.variant_id', 'runs.is_baseline', 'runs.status',
      'runs.concurrency', 'runs.repeats', 'runs.trace_timeout_seconds', 'runs.config', 'runs.total',
    ])
    .where('runs.id', '=', runId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    runId: row.id, experimentId: row.experiment_id, projectId: row.project_id, variantId: row.variant_id,
    isBaseline: row.is_baseline, status: row.status, concurrency: row.concurrency, repeats: row.repeats,
    traceTimeoutSeconds: row.trace_timeout_seconds, config: row.config as ExperimentConfig, total: row.total,
  };
}

/** pending → running; a second call (a retried activity) changes nothing. */
export async function markRunStarted(db: Db, runId: string) {
  await db
    .updateTable('runs')
    .set({ status: 'running', started_at: sql`coalesce(started_at, now())`, resumed_at: sql`now()` })
    .where('id', '=', runId)
    .where('status', '=', 'pending')
    .execute();
}

export type RunOutcome = 'completed' | 'failed' | 'cancelled';

/**
 * Ends a run once: writes its final status, its variant's, and moves the experiment on (a
 * completed baseline locks it). Called again after a crash it finds the run finished and returns.
 */
export async function finishRun(
  db: Db,
  runId: string,
  options: { cancelled: boolean; actor: string; maxErroredShare: number; /** The run could not execute at all. */ failure?: string },
): Promise<{ outcome: RunOutcome; counts: StatusCounts } | null> {
  return db.transaction().execute(async (trx) => {
    const run = await trx
      .selectFrom('runs')
      .select(['id', 'experiment_id', 'variant_id', 'is_baseline', 'status'])
      .where('id', '=', runId)
      .forUpdate()
      .executeTakeFirst();
    if (!run || !(openRunStatuses as readonly string[]).includes(run.status)) return null;
    if (options.failure) await closeOutstandingTests(trx, runId, options.failure);
    else if (options.cancelled) await markOutstandingNotRun(trx, runId, 'cancelled');
    const counts = await countTests(trx, runId);
    const outcome: RunOutcome = options.failure
      ? 'failed'
      : options.cancelled
        ? 'cancelled'
        : counts.total > 0 && counts.errored / counts.total > options.maxErroredShare
          ? 'failed'
          : 'completed';
    const error =
      options.failure ??
      (outcome === 'failed'
        ? `${counts.errored} of ${counts.total} tests could not be executed (more than ${Math.round(options.maxErroredShare * 100)}%); check the application's webhook.`
        : null);
    await trx.updateTable('runs').set({ status: outcome, finished_at: sql`now()`, error }).where('id', '=', runId).execute();
    await trx.updateTable('variants').set({ status: outcome }).where('id', '=', run.variant_id).execute();
    const reason = error ?? (outcome === 'cancelled' ? 'run cancelled' : `run finished: ${counts.passed} of ${counts.total} passed`);
    const event = run.is_baseline ? (outcome === 'completed' ? 'baseline_succeeded' : 'baseline_failed') : 'variant_ended';
    await transitionExperiment(trx, {
      experimentId: run.experiment_id,
      event,
      actor: options.actor,
      reason,
      details: { runId, outcome },
      ...(event === 'baseline_succeeded' ? { set: { locked_at: sql`now()` } } : {}),
    });
    return { outcome, counts };
  });
}
