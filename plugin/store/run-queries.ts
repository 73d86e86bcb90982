import type { ExperimentStatus, RunStatus } from '../domain/experiment-status.js';
import { retryableNow } from '../domain/run-rules.js';
import { stopSummary, type StoppedRecord } from '../domain/stop-summary.js';
import { ExperimentsError } from '../errors.js';
import type { Db } from './connect.js';
import { countTests } from './test-repository.js';

/** A run as the API shows it, with live counts and progress read from the tests table. */
export async function getRunProgress(db: Db, projectId: string, experimentId: string, runId: string) {
  const run = await db
    .selectFrom('runs')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .innerJoin('variants', 'variants.id', 'runs.variant_id')
    .select([
      'runs.id', 'runs.variant_id', 'variants.name as variant_name', 'runs.number', 'runs.is_baseline', 'runs.status', 'runs.concurrency',
      'runs.repeats', 'runs.trace_timeout_seconds', 'runs.task_rule', 'runs.total', 'runs.retries', 'runs.workflow_id', 'runs.error',
      'runs.config', 'runs.created_at', 'runs.started_at', 'runs.finished_at', 'runs.resumed_at', 'runs.earlier_active_ms',
      'runs.stop_when_decided', 'runs.order_seed', 'runs.stop_alpha', 'runs.max_cost', 'runs.max_tokens', 'runs.stopped',
      'runs.results_version', 'runs.host_results_version', 'runs.host_results_url', 'runs.host_results_error',
      'experiments.status as experiment_status',
    ])
    .where('runs.id', '=', runId)
    .where('runs.experiment_id', '=', experimentId)
    .where('experiments.project_id', '=', projectId)
    .executeTakeFirst();
  if (!run) throw new ExperimentsError('not_found', `Run ${runId} was not found in this experiment.`);
  const counts = await countTests(db, runId);
  const done = counts.passed + counts.failed + counts.errored + counts.timedOut;
  // Over the time tests actually ran: the earlier attempts' time plus the current attempt's, not since the first
  // start (a retry days later read 0.3 tests/s). Tests that never ran are not done.
  const resumed = run.resumed_at ?? run.started_at;
  const current = resumed ? (run.finished_at ? new Date(run.finished_at).getTime() : Date.now()) - new Date(resumed).getTime() : null;
  const seconds = current === null ? null : Math.max((Number(run.earlier_active_ms) + Math.max(current, 0)) / 1000, 0.001);
  return {
    runId: run.id,
    variantId: run.variant_id,
    variantName: run.variant_name,
    number: run.number,
    isBaseline: run.is_baseline,
    status: run.status,
    settings: {
      concurrency: run.concurrency, repeats: run.repeats, traceTimeoutSeconds: run.trace_timeout_seconds, taskRule: run.task_rule,
      stopWhenDecided: run.stop_when_decided, orderSeed: run.order_seed, stopAlpha: run.stop_alpha, maxCostUsd: run.max_cost, maxTokens: run.max_tokens,
    },
    /** Why the run stopped sending before every test went out (issue 15), or null. */
    stopped: run.stopped ? { ...(run.stopped as unknown as StoppedRecord), summary: stopSummary(run.stopped as unknown as StoppedRecord) } : null,
    config: run.config,
    retries: run.retries,
    workflowId: run.workflow_id,
    error: run.error,
    createdAt: run.created_at,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    counts,
    /** Tests a retry would send again now (errored, timed out, not run); 0 when a retry is not possible. */
    retryable: retryableNow({ status: run.status as RunStatus, isBaseline: run.is_baseline, counts }, run.experiment_status as ExperimentStatus),
    progress: { done, total: run.total, testsPerSecond: seconds ? Number((done / seconds).toFixed(2)) : null },
    /** On a host that keeps results of its own (Phoenix): the run's page there once written, and the last failure. */
    hostResults: {
      url: run.host_results_url,
      current: run.host_results_version !== null && run.host_results_version === run.results_version,
      error: run.host_results_error,
    },
  };
}

/** The runs of an experiment, newest first. */
export async function listRuns(db: Db, projectId: string, experimentId: string) {
  return db
    .selectFrom('runs')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .select(['runs.id', 'runs.variant_id', 'runs.number', 'runs.is_baseline', 'runs.status', 'runs.total', 'runs.created_at', 'runs.finished_at'])
    .where('runs.experiment_id', '=', experimentId)
    .where('experiments.project_id', '=', projectId)
    .orderBy('runs.created_at', 'desc')
    .execute();
}
