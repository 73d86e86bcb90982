import { sql } from 'kysely';
import { retryableTestStatuses } from '../domain/experiment-status.js';
import type { ExperimentConfig } from '../domain/parameters.js';
import { seededShuffle } from '../domain/seeded-random.js';
import type { HostTask } from '../host.js';
import type { Db } from './connect.js';
import { jsonb } from './jsonb.js';

export interface RunSettings {
  concurrency: number;
  repeats: number;
  traceTimeoutSeconds: number;
  taskRule: 'all' | 'majority' | 'any';
  /** Stop sending once the verdict against the baseline is decided, at this level; null to run every task. */
  stopWhenDecided: { alpha: number; orderSeed: number } | null;
  maxCost: number | null;
  maxTokens: number | null;
}

/** Keeps each task's content as the host has it now, in one statement (a baseline may have 10,000 tasks). */
export async function snapshotExperimentTasks(db: Db, experimentId: string, tasks: readonly HostTask[]): Promise<void> {
  const snapshots = tasks.map((task) => ({ task_id: task.id, snapshot: task }));
  await sql`update experiment_tasks set snapshot = s.snapshot
    from jsonb_to_recordset(${jsonb(snapshots)}) as s(task_id text, snapshot jsonb)
    where experiment_tasks.experiment_id = ${experimentId} and experiment_tasks.task_id = s.task_id`.execute(db);
}

/** The number of the variant's next run. */
export async function nextRunNumber(db: Db, variantId: string): Promise<number> {
  const previous = await db.selectFrom('runs').select((eb) => eb.fn.max('number').as('n')).where('variant_id', '=', variantId).executeTakeFirst();
  return Number(previous?.n ?? 0) + 1;
}

/**
 * Writes a run and one pending test (with a fresh test id) per task × repeat, in task order (or the seeded order of
 * a run that may stop early); marks the variant running.
 */
export async function insertRun(
  db: Db,
  run: {
    id: string;
    experimentId: string;
    variantId: string;
    number: number;
    isBaseline: boolean;
    settings: RunSettings;
    config: ExperimentConfig;
    workflowId: string;
    createdBy: string;
    taskIds: readonly string[];
  },
): Promise<{ total: number }> {
  const { settings } = run;
  const total = run.taskIds.length * settings.repeats;
  await db
    .insertInto('runs')
    .values({
      id: run.id, experiment_id: run.experimentId, variant_id: run.variantId, number: run.number, is_baseline: run.isBaseline,
      concurrency: settings.concurrency, repeats: settings.repeats, trace_timeout_seconds: settings.traceTimeoutSeconds,
      task_rule: settings.taskRule, config: jsonb(run.config), total, workflow_id: run.workflowId, created_by: run.createdBy,
      stop_when_decided: settings.stopWhenDecided !== null, order_seed: settings.stopWhenDecided?.orderSeed ?? null,
      stop_alpha: settings.stopWhenDecided?.alpha ?? null, max_cost: settings.maxCost, max_tokens: settings.maxTokens,
    })
    .execute();
  // A run that may stop early sends its tasks in a seeded random order, so the tasks it sees first are a random sample.
  const order = settings.stopWhenDecided ? seededShuffle(run.taskIds, settings.stopWhenDecided.orderSeed) : run.taskIds;
  // One statement of fixed text, the rows made by Postgres. Built as a VALUES list, 1,000 tests took Kysely and a fresh
  // prepare about 50 ms, most of a run's start before its workflow; this way about 20 ms, measured on a cold process.
  await sql`insert into tests (run_id, task_id, repeat, position, test_id)
    select ${run.id}::uuid, task.id, r.repeat, (task.ord - 1) * ${settings.repeats}::int + r.repeat, gen_random_uuid()
    from unnest(${order}::text[]) with ordinality as task(id, ord) cross join generate_series(0, ${settings.repeats}::int - 1) as r(repeat)
    order by task.ord, r.repeat`.execute(db);
  await db.updateTable('variants').set({ status: 'running' }).where('id', '=', run.variantId).execute();
  return { total };
}

/** A run of one of the project's experiments with its experiment's status, locked until the transaction ends. */
export async function lockRunOfExperiment(db: Db, scope: { projectId: string; experimentId: string }, runId: string) {
  return db
    .selectFrom('runs')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .select(['runs.id', 'runs.status', 'runs.variant_id', 'runs.is_baseline', 'runs.retries', 'runs.number', 'experiments.status as experiment_status'])
    .where('runs.id', '=', runId)
    .where('runs.experiment_id', '=', scope.experimentId)
    .where('experiments.project_id', '=', scope.projectId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Puts a run's errored, timed-out and not-run tests back to pending with new test ids, keeping each earlier attempt;
 * returns how many.
 */
export async function resetRetryableTests(db: Db, runId: string): Promise<number> {
  const retryable = [...retryableTestStatuses];
  await db
    .insertInto('test_attempts')
    .columns(['test_row_id', 'attempt', 'test_id', 'status', 'trace_id', 'error', 'finished_at'])
    .expression((eb) =>
      eb.selectFrom('tests').select(['id', 'attempt', 'test_id', 'status', 'trace_id', 'error', 'finished_at']).where('run_id', '=', runId).where('status', 'in', retryable),
    )
    .execute();
  const reset = await db
    .updateTable('tests')
    .set({
      attempt: sql`attempt + 1`, test_id: sql`gen_random_uuid()`, status: 'pending', trace_id: null, dispatched_at: null, deadline_at: null,
      trace_arrived_at: null, finished_at: null, error: null, http_status: null, output: null, latency_ms: null, input_tokens: null,
      output_tokens: null, total_tokens: null, cost: null, cost_note: null, no_evaluations: false, override_mismatches: null, not_run_reason: null,
    })
    .where('run_id', '=', runId)
    .where('status', 'in', retryable)
    .executeTakeFirst();
  return Number(reset.numUpdatedRows);
}

/** Opens a finished run again under a new workflow id, its variant running. */
export async function reopenRun(db: Db, run: { id: string; variantId: string; retries: number; workflowId: string }): Promise<void> {
  // The attempt that ended is added to the run's active time, so its speed stays over the time tests actually ran.
  await db
    .updateTable('runs')
    .set({
      // A run that stopped sending decides again from what its tests then show (stopping is derived from the database).
      status: 'pending', retries: run.retries, workflow_id: run.workflowId, finished_at: null, error: null, resumed_at: null, stopped: null,
      earlier_active_ms: sql`earlier_active_ms + coalesce(extract(epoch from (finished_at - coalesce(resumed_at, started_at))) * 1000, 0)`,
    })
    .where('id', '=', run.id)
    .execute();
  await db.updateTable('variants').set({ status: 'running' }).where('id', '=', run.variantId).execute();
}
