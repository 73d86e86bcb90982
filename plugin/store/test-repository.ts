import { sql } from 'kysely';
import { openTestStatuses, type NotRunReason } from '../domain/experiment-status.js';
import type { Db } from './connect.js';

/**
 * Deliveries interrupted by a crash (claimed, no answer recorded) go back to pending, to be sent
 * again with the same test id. Only one delivery activity runs per run, so none is in progress.
 * Also when the run has stopped sending since (decided, or over budget): a claimed test may already have reached the
 * application, which costs money, so it is finished and counts (the stop's record counts it `inFlight`); every test
 * pending at the decision is `not_run` already, so these are the only tests such a run still sends.
 */
export async function releaseInterruptedDeliveries(db: Db, runId: string) {
  const result = await db.updateTable('tests').set({ status: 'pending' }).where('run_id', '=', runId).where('status', '=', 'dispatched').executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function countWithStatus(db: Db, runId: string, status: string) {
  const row = await db
    .selectFrom('tests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('run_id', '=', runId)
    .where('status', '=', status)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Times out the run's tests whose deadline passed without a trace; returns how many. */
export async function timeOutExpiredTests(db: Db, runId: string) {
  const result = await db
    .updateTable('tests')
    .set({ status: 'timed_out', finished_at: sql`now()`, error: 'no trace arrived before the deadline' })
    .where('run_id', '=', runId)
    .where('status', '=', 'awaiting_trace')
    .where('trace_id', 'is', null)
    .where('deadline_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Tests whose trace is linked but whose result is not written yet (their signal may have been missed). */
export async function arrivedTests(db: Db, runId: string, limit: number) {
  const rows = await db
    .selectFrom('tests')
    .select(['test_id', 'trace_id'])
    .where('run_id', '=', runId)
    .where('status', '=', 'evaluating')
    .orderBy('position')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ testId: row.test_id, traceId: row.trace_id as string }));
}

/** The earliest deadline among the run's tests waiting for a trace, in epoch ms. */
export async function nextDeadline(db: Db, runId: string): Promise<number | null> {
  const row = await db
    .selectFrom('tests')
    .select((eb) => eb.fn.min('deadline_at').as('deadline'))
    .where('run_id', '=', runId)
    .where('status', '=', 'awaiting_trace')
    .executeTakeFirst();
  return row?.deadline ? new Date(row.deadline as Date).getTime() : null;
}

/**
 * Outstanding tests of a run that stopped (cancelled, stopped early, over budget) end as `not_run` with the reason:
 * they have no result, so they count in no rate and are never shown as errors or regressions (issue 14).
 */
export async function markOutstandingNotRun(db: Db, runId: string, reason: NotRunReason) {
  const result = await db
    .updateTable('tests')
    .set({ status: 'not_run', not_run_reason: reason, finished_at: sql`now()` })
    .where('run_id', '=', runId)
    .where('status', 'in', [...openTestStatuses])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Outstanding tests of a run that could not execute at all end as errored with the failure, so every test has a result. */
export async function closeOutstandingTests(db: Db, runId: string, reason: string) {
  const result = await db
    .updateTable('tests')
    .set({ status: 'errored', error: reason, finished_at: sql`now()` })
    .where('run_id', '=', runId)
    .where('status', 'in', [...openTestStatuses])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface StatusCounts {
  total: number;
  pending: number;
  dispatched: number;
  awaitingTrace: number;
  evaluating: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  /** Tests that never ran (`not_run`): shown apart, counted in no rate. */
  notRun: number;
}

/** Counts a run's tests by status in SQL (one indexed scan, nothing loaded into memory). */
export async function countTests(db: Db, runId: string): Promise<StatusCounts> {
  const rows = await db
    .selectFrom('tests')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('run_id', '=', runId)
    .groupBy('status')
    .execute();
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const counts = {
    pending: by.pending ?? 0,
    dispatched: by.dispatched ?? 0,
    awaitingTrace: by.awaiting_trace ?? 0,
    evaluating: by.evaluating ?? 0,
    passed: by.passed ?? 0,
    failed: by.failed ?? 0,
    errored: by.errored ?? 0,
    timedOut: by.timed_out ?? 0,
    notRun: by.not_run ?? 0,
  };
  return { total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts };
}
