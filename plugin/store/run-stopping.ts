import { sql } from 'kysely';
import { finalTestStatuses, openTestStatuses, type NotRunReason, type TestStatus } from '../domain/experiment-status.js';
import type { TaskInOrder, TaskTally, TestOutcome } from '../domain/task-outcomes.js';
import type { Db } from './connect.js';
import { jsonb } from './jsonb.js';

/** What a run was told to stop on, and whether it already stopped. */
export interface RunStoppingSettings {
  experimentId: string;
  isBaseline: boolean;
  repeats: number;
  stopWhenDecided: boolean;
  stopAlpha: number | null;
  maxCost: number | null;
  maxTokens: number | null;
  stopped: Record<string, unknown> | null;
}

export async function findRunStoppingSettings(db: Db, runId: string): Promise<RunStoppingSettings | null> {
  const run = await db
    .selectFrom('runs')
    .select(['experiment_id', 'is_baseline', 'repeats', 'stop_when_decided', 'stop_alpha', 'max_cost', 'max_tokens', 'stopped'])
    .where('id', '=', runId)
    .executeTakeFirst();
  if (!run) return null;
  return {
    experimentId: run.experiment_id, isBaseline: run.is_baseline, repeats: run.repeats, stopWhenDecided: run.stop_when_decided,
    stopAlpha: run.stop_alpha, maxCost: run.max_cost, maxTokens: run.max_tokens, stopped: run.stopped,
  };
}

/** A run's tests in the order they are sent. */
export async function testOutcomesInOrder(db: Db, runId: string): Promise<TestOutcome[]> {
  const rows = await db.selectFrom('tests').select(['task_id', 'repeat', 'status']).where('run_id', '=', runId).orderBy('position').execute();
  return rows.map((row) => ({ taskId: row.task_id, repeat: row.repeat, status: row.status as TestStatus }));
}

const finished = sql.join(finalTestStatuses.map((status) => sql.lit(status)));
const open = sql.join(openTestStatuses.map((status) => sql.lit(status)));

/**
 * A run's tasks in the order they are sent, each with its finished repeats, passes and whether a test of it is still
 * open: one aggregate row per task, computed by Postgres, instead of every test read and tallied (domain/task-outcomes.ts
 * `tasksInOrder` is the same from a list of tests; the store test checks they agree).
 */
export async function runTasksInOrder(db: Db, runId: string): Promise<TaskInOrder[]> {
  const rows = await db
    .selectFrom('tests')
    .select([
      'task_id',
      sql<number>`count(*) filter (where status in (${finished}))::int`.as('finished'),
      sql<number>`count(*) filter (where status = 'passed')::int`.as('passes'),
      sql<boolean>`bool_or(status in (${open}))`.as('open'),
    ])
    .where('run_id', '=', runId)
    .groupBy('task_id')
    .orderBy(sql`min(position)`)
    .execute();
  return rows.map((row) => ({ taskId: row.task_id, passes: row.passes, finished: row.finished, open: row.open }));
}

/** The tasks of the experiment's latest completed baseline run, with its repeats; null when there is none. */
export async function latestBaselineTallies(db: Db, experimentId: string): Promise<{ repeats: number; tallies: TaskTally[] } | null> {
  const run = await db
    .selectFrom('runs')
    .select(['id', 'repeats'])
    .where('experiment_id', '=', experimentId)
    .where('is_baseline', '=', true)
    .where('status', '=', 'completed')
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!run) return null;
  const tallies = (await runTasksInOrder(db, run.id)).map(({ taskId, passes, finished: done }) => ({ taskId, passes, finished: done }));
  return { repeats: run.repeats, tallies };
}

/** What a run's finished tests spent, and a mark that changes whenever a test of the run finishes (count and latest finish). */
export interface RunSpend {
  cost: number;
  tokens: number;
  /** Finished tests with a known cost. */
  costedTests: number;
  /** Changes when a test finishes, or a finished one is sent again: nothing the decision reads changed while it is the same. */
  mark: string;
}

/** Dollars and tokens a run's finished tests spent, as their traces say, and how many finished with a known cost. */
export async function runSpend(db: Db, runId: string): Promise<RunSpend> {
  const row = await db
    .selectFrom('tests')
    .select([
      sql<number | null>`sum(cost)`.as('cost'),
      sql<string | null>`sum(coalesce(total_tokens, coalesce(input_tokens, 0) + coalesce(output_tokens, 0)))`.as('tokens'),
      sql<string>`count(cost)`.as('costed'),
      sql<string>`count(*)::text || '@' || coalesce(max(finished_at)::text, '')`.as('mark'),
    ])
    .where('run_id', '=', runId)
    .where('status', 'in', [...finalTestStatuses])
    .executeTakeFirstOrThrow();
  return { cost: Number(row.cost ?? 0), tokens: Number(row.tokens ?? 0), costedTests: Number(row.costed), mark: row.mark };
}

/** What stopping did: tests not sent, and tests already sent (or claimed to be) whose results are still to come. */
export interface StopCounts {
  notSent: number;
  /** Claimed before the decision: they are sent (again, with the same test id, after a crash) and their results count. */
  inFlight: number;
}

/**
 * Records why a run stopped sending and makes its unsent tests not run, once: the guarded update of the run and of
 * its pending tests share a transaction, and a delivery claims only pending tests, so no test goes out after it but
 * those claimed before it (a test a dead worker left claimed may have reached the application: it goes back to
 * pending and is sent again, store/test-repository.ts `releaseInterruptedDeliveries`). Returns null when the run had
 * stopped already.
 */
export async function stopSending(db: Db, runId: string, reason: NotRunReason, record: (counts: StopCounts) => Record<string, unknown>): Promise<StopCounts | null> {
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('runs').select('stopped').where('id', '=', runId).forUpdate().executeTakeFirst();
    if (!run || run.stopped !== null) return null;
    const result = await trx
      .updateTable('tests')
      .set({ status: 'not_run', not_run_reason: reason, finished_at: sql`now()` })
      .where('run_id', '=', runId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    const inFlight = await trx
      .selectFrom('tests')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('run_id', '=', runId)
      .where('status', 'in', openTestStatuses.filter((status) => status !== 'pending'))
      .executeTakeFirstOrThrow();
    const counts = { notSent: Number(result.numUpdatedRows), inFlight: inFlight.n };
    await trx.updateTable('runs').set({ stopped: jsonb(record(counts)) }).where('id', '=', runId).execute();
    return counts;
  });
}
