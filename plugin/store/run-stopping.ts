import { sql } from 'kysely';
import { finalTestStatuses, type NotRunReason, type TestStatus } from '../domain/experiment-status.js';
import { tallyTasks, type TaskTally, type TestOutcome } from '../domain/task-outcomes.js';
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
  return { repeats: run.repeats, tallies: tallyTasks(await testOutcomesInOrder(db, run.id)) };
}

/** Dollars and tokens a run's finished tests spent, as their traces say, and how many finished with a known cost. */
export async function runSpend(db: Db, runId: string): Promise<{ cost: number; tokens: number; costedTests: number }> {
  const row = await db
    .selectFrom('tests')
    .select([
      sql<number | null>`sum(cost)`.as('cost'),
      sql<string | null>`sum(coalesce(total_tokens, coalesce(input_tokens, 0) + coalesce(output_tokens, 0)))`.as('tokens'),
      sql<string>`count(cost)`.as('costed'),
    ])
    .where('run_id', '=', runId)
    .where('status', 'in', [...finalTestStatuses])
    .executeTakeFirstOrThrow();
  return { cost: Number(row.cost ?? 0), tokens: Number(row.tokens ?? 0), costedTests: Number(row.costed) };
}

/**
 * Records why a run stopped sending and makes its unsent tests not run, once: the guarded update of the run and of
 * its pending tests share a transaction, and a delivery claims only pending tests, so no test goes out after it.
 * Returns the number of tests not sent, or null when the run had stopped already.
 */
export async function stopSending(db: Db, runId: string, reason: NotRunReason, record: (notSent: number) => Record<string, unknown>): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    const run = await trx.selectFrom('runs').select('stopped').where('id', '=', runId).forUpdate().executeTakeFirst();
    if (!run || run.stopped !== null) return null;
    const result = await trx
      .updateTable('tests')
      .set({ status: 'not_run', not_run_reason: reason, finished_at: sql`now()` })
      .where('run_id', '=', runId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    const notSent = Number(result.numUpdatedRows);
    await trx.updateTable('runs').set({ stopped: jsonb(record(notSent)) }).where('id', '=', runId).execute();
    return notSent;
  });
}
