import { sql } from 'kysely';
import type { Db } from './connect.js';

/** Statuses from which a test can still move; a final result is only written from these. */
export const openTestStatuses = ['pending', 'dispatched', 'awaiting_trace', 'evaluating'] as const;
export const finalTestStatuses = ['passed', 'failed', 'errored', 'timed_out'] as const;

export interface TestRef {
  testRowId: string;
  testId: string;
  position: number;
}

/** The next page of a run's pending tests in dispatch order. */
export async function nextPendingTests(db: Db, runId: string, afterPosition: number, limit: number): Promise<TestRef[]> {
  const rows = await db
    .selectFrom('tests')
    .select(['id', 'test_id', 'position'])
    .where('run_id', '=', runId)
    .where('status', '=', 'pending')
    .where('position', '>', afterPosition)
    .orderBy('position')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ testRowId: row.id, testId: row.test_id, position: row.position }));
}

/**
 * Records that the application accepted a test and sets its deadline once: a redelivery after a
 * crash keeps the first deadline.
 */
export async function markAccepted(db: Db, testRowId: string, testId: string, traceTimeoutSeconds: number, httpStatus: number) {
  const row = await db
    .updateTable('tests')
    .set({
      status: sql`case when status in ('pending', 'dispatched') then 'awaiting_trace' else status end`,
      dispatched_at: sql`coalesce(dispatched_at, now())`,
      deadline_at: sql`coalesce(deadline_at, now() + make_interval(secs => ${traceTimeoutSeconds}))`,
      http_status: httpStatus,
    })
    .where('id', '=', testRowId)
    .where('test_id', '=', testId)
    .returning(['status', 'deadline_at'])
    .executeTakeFirst();
  return row ? { status: row.status, deadline: row.deadline_at ? new Date(row.deadline_at).getTime() : Date.now() } : null;
}

/** Writes an `errored` result, once: only a test still open changes. */
export async function markErrored(db: Db, testRowId: string, testId: string, error: string, httpStatus?: number) {
  const result = await db
    .updateTable('tests')
    .set({ status: 'errored', error: error.slice(0, 1000), http_status: httpStatus ?? null, finished_at: sql`now()` })
    .where('id', '=', testRowId)
    .where('test_id', '=', testId)
    .where('status', 'in', [...openTestStatuses])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Times out the given tests that still have no trace. Tests whose trace was linked meanwhile
 * (the signal may have been missed) come back as arrived instead.
 */
export async function timeOutTests(db: Db, testIds: string[]) {
  if (testIds.length === 0) return { timedOut: [] as string[], arrived: [] as Array<{ testId: string; traceId: string }> };
  const timedOut = await db
    .updateTable('tests')
    .set({ status: 'timed_out', finished_at: sql`now()`, error: 'no trace arrived before the deadline' })
    .where('test_id', 'in', testIds)
    .where('status', 'in', ['dispatched', 'awaiting_trace'])
    .where('trace_id', 'is', null)
    .returning('test_id')
    .execute();
  const done = new Set(timedOut.map((r) => r.test_id));
  const arrived = await linkedButOpen(db, testIds.filter((id) => !done.has(id)));
  return { timedOut: [...done], arrived };
}

/** Tests among `testIds` whose trace is linked but not yet evaluated. */
export async function linkedButOpen(db: Db, testIds: string[]) {
  if (testIds.length === 0) return [];
  const rows = await db
    .selectFrom('tests')
    .select(['test_id', 'trace_id'])
    .where('test_id', 'in', testIds)
    .where('trace_id', 'is not', null)
    .where('status', 'in', [...openTestStatuses])
    .execute();
  return rows.map((row) => ({ testId: row.test_id, traceId: row.trace_id as string }));
}

/** Outstanding tests of a cancelled run end as errored, so every test has a result. */
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
  };
  return { total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts };
}
