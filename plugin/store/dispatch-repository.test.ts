import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginDatabase, insertExperimentWithBaseline } from '../../test/helpers/plugin-database.js';
import type { Db } from './connect.js';
import { claimNextDeliveries, recordOutcomesAndClaim } from './dispatch-repository.js';
import { jsonb } from './jsonb.js';

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;

beforeAll(async () => {
  database = await createPluginDatabase('dispatch');
  db = database.db;
});
afterAll(async () => {
  await database?.close();
});

/** A run of `tasks` tasks × `repeats` repeats, every test pending. */
async function pendingRun(tasks: number, repeats: number) {
  const { experiment, variant } = await insertExperimentWithBaseline(db, 'p', 'Claims');
  const taskIds = Array.from({ length: tasks }, (_, i) => `task-${i}`);
  await db
    .insertInto('experiment_tasks')
    .values(taskIds.map((id, position) => ({ experiment_id: experiment.id, task_id: id, position, snapshot: jsonb({ id, title: id, prompt: `Prompt ${id}` }) })))
    .execute();
  const run = await db
    .insertInto('runs')
    .values({
      experiment_id: experiment.id, variant_id: variant.id, number: 1, is_baseline: true, status: 'running', concurrency: 2, repeats,
      trace_timeout_seconds: 60, config: JSON.stringify({}), total: tasks * repeats, workflow_id: `run-${experiment.id}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tests = taskIds.flatMap((taskId, t) => Array.from({ length: repeats }, (_, repeat) => ({ run_id: run.id, task_id: taskId, repeat, position: t * repeats + repeat, test_id: crypto.randomUUID() })));
  await db.insertInto('tests').values(tests).execute();
  // No ANALYZE: a new run's tests are claimed before autovacuum has gathered statistics on them, and that is
  // when the planner ran a claim's subquery once per joined row.
  return run.id;
}

const statuses = async (runId: string) =>
  (await db.selectFrom('tests').select(['status']).where('run_id', '=', runId).orderBy('position').execute()).map((row) => row.status);

describe('claiming tests for delivery', () => {
  it('claims exactly as many as asked, in order, with their webhook bodies', async () => {
    const runId = await pendingRun(3, 2);
    const first = await claimNextDeliveries(db, runId, 2);
    expect(first.map((test) => test.body.task.id)).toEqual(['task-0', 'task-0']);
    expect(first.map((test) => test.body.experiment.repeat)).toEqual([0, 1]);
    expect(first[0]?.body.prompt).toBe('Prompt task-0');
    // Every claimed test is handed out: none is left dispatched without a lane to send it.
    expect(await statuses(runId)).toEqual(['dispatched', 'dispatched', 'pending', 'pending', 'pending', 'pending']);
    expect(await claimNextDeliveries(db, runId, 3)).toHaveLength(3);
    expect(await claimNextDeliveries(db, runId, 5)).toHaveLength(1);
    expect(await claimNextDeliveries(db, runId, 5)).toEqual([]);
    expect(await statuses(runId)).toEqual(Array(6).fill('dispatched'));
  });

  it('never claims more than asked on a larger run', async () => {
    const runId = await pendingRun(50, 20);
    let handedOut = 0;
    for (let round = 0; round < 20; round += 1) {
      const claimed = await claimNextDeliveries(db, runId, 7);
      expect(claimed.length).toBeLessThanOrEqual(7);
      handedOut += claimed.length;
      const dispatched = (await statuses(runId)).filter((status) => status === 'dispatched').length;
      expect(dispatched).toBe(handedOut);
    }
  });
});

const rowsOf = async (runId: string) =>
  db
    .selectFrom('tests')
    .select(['id', 'test_id', 'status', 'http_status', 'error', 'deadline_at', 'dispatched_at', 'finished_at'])
    .where('run_id', '=', runId)
    .orderBy('position')
    .execute();

describe('writing delivery outcomes with the next claims', () => {
  it('writes accepted and errored outcomes and claims the next tests in one statement', async () => {
    const runId = await pendingRun(2, 2);
    const [first, second] = await claimNextDeliveries(db, runId, 2);
    const { written, claimed } = await recordOutcomesAndClaim(
      db,
      runId,
      [
        { testRowId: first!.testRowId, testId: first!.testId, accepted: true, httpStatus: 202, traceTimeoutSeconds: 60 },
        { testRowId: second!.testRowId, testId: second!.testId, accepted: false, error: 'webhook HTTP 400: x'.padEnd(1200, '.'), httpStatus: 400 },
      ],
      1,
    );
    expect(written).toEqual([true, true]);
    expect(claimed.map((test) => test.body.task.id)).toEqual(['task-1']);
    const rows = await rowsOf(runId);
    expect(rows.map((row) => row.status)).toEqual(['awaiting_trace', 'errored', 'dispatched', 'pending']);
    expect(rows[0]).toMatchObject({ http_status: 202, finished_at: null });
    const deadline = new Date(rows[0]!.deadline_at!).getTime() - new Date(rows[0]!.dispatched_at!).getTime();
    expect(deadline).toBeGreaterThan(59_000);
    expect(deadline).toBeLessThan(61_000);
    expect(rows[1]).toMatchObject({ http_status: 400, deadline_at: null });
    expect(rows[1]!.error).toHaveLength(1000);
    expect(rows[1]!.finished_at).not.toBeNull();
  });

  it('keeps a redelivered test\'s first deadline and a final result as it was', async () => {
    const runId = await pendingRun(1, 2);
    const [first, second] = await claimNextDeliveries(db, runId, 2);
    const accepted = { testRowId: first!.testRowId, testId: first!.testId, accepted: true as const, httpStatus: 200, traceTimeoutSeconds: 60 };
    await recordOutcomesAndClaim(db, runId, [accepted], 0);
    const [before] = await rowsOf(runId);
    // Sent again after a crash (released to pending, claimed, accepted once more): the deadline stays.
    await db.updateTable('tests').set({ status: 'pending' }).where('id', '=', first!.testRowId).execute();
    await claimNextDeliveries(db, runId, 1);
    await recordOutcomesAndClaim(db, runId, [{ ...accepted, traceTimeoutSeconds: 600 }], 0);
    const [after] = await rowsOf(runId);
    expect(after).toMatchObject({ status: 'awaiting_trace', deadline_at: before!.deadline_at, dispatched_at: before!.dispatched_at });
    // A test that already has a result: an accepted outcome leaves its status, an errored one is not written.
    await db.updateTable('tests').set({ status: 'passed' }).where('id', '=', first!.testRowId).execute();
    await db.updateTable('tests').set({ status: 'not_run', not_run_reason: 'cancelled' }).where('id', '=', second!.testRowId).execute();
    const { written } = await recordOutcomesAndClaim(
      db,
      runId,
      [accepted, { testRowId: second!.testRowId, testId: second!.testId, accepted: false, error: 'late' }],
      0,
    );
    expect(written).toEqual([true, false]);
    expect((await rowsOf(runId)).map((row) => [row.status, row.error])).toEqual([['passed', null], ['not_run', null]]);
  });

  it('writes nothing for a row whose test id is not the one sent', async () => {
    const runId = await pendingRun(1, 1);
    const [test] = await claimNextDeliveries(db, runId, 1);
    const stale = { testRowId: test!.testRowId, testId: crypto.randomUUID() };
    const { written } = await recordOutcomesAndClaim(
      db,
      runId,
      [{ ...stale, accepted: true, httpStatus: 200, traceTimeoutSeconds: 60 }, { ...stale, accepted: false, error: 'x' }],
      0,
    );
    expect(written).toEqual([false, false]);
    expect((await rowsOf(runId)).map((row) => row.status)).toEqual(['dispatched']);
  });

  // A limit of 1 with one outcome runs the statement's one-test form (a scalar id and `limit 1`), 2 its array form.
  it.each([1, 2])('never claims a test whose outcome the same statement writes (claiming %i)', async (limit) => {
    const runId = await pendingRun(1, 2);
    const [first] = await claimNextDeliveries(db, runId, 1);
    // Released to pending meanwhile (a replacing delivery's start), so the claim could have picked it.
    await db.updateTable('tests').set({ status: 'pending' }).where('id', '=', first!.testRowId).execute();
    const { written, claimed } = await recordOutcomesAndClaim(
      db,
      runId,
      [{ testRowId: first!.testRowId, testId: first!.testId, accepted: true, httpStatus: 200, traceTimeoutSeconds: 60 }],
      limit,
    );
    expect(written).toEqual([true]);
    expect(claimed.map((test) => test.body.experiment.repeat)).toEqual([1]);
    expect((await rowsOf(runId)).map((row) => row.status)).toEqual(['awaiting_trace', 'dispatched']);
  });
});

describe('the order outcomes lock their tests in', () => {
  it('locks them in id order, as linking and result writes do, so that none of them can deadlock', async () => {
    const runId = await pendingRun(20, 1);
    const tests = await claimNextDeliveries(db, runId, 20);
    const byId = [...tests].sort((a, b) => (a.testRowId < b.testRowId ? -1 : 1));
    // Another writer (a link, say) holds the first test in id order and goes on to lock the rest.
    let recording: Promise<unknown> = Promise.resolve();
    await db.transaction().execute(async (trx) => {
      await sql`select id from tests where id = ${byId[0]!.testRowId} for update`.execute(trx);
      const outcomes = [...tests].reverse().map((test) => ({ testRowId: test.testRowId, testId: test.testId, accepted: true as const, httpStatus: 200, traceTimeoutSeconds: 60 }));
      recording = recordOutcomesAndClaim(db, runId, outcomes, 0);
      recording.catch(() => {});
      // Wait until the outcome statement is waiting for the held row.
      for (let i = 0; i < 200; i += 1) {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%with outcome as%'`.execute(db);
        if (waiting.rows[0]!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // Locked in id order, the statement holds none of the others yet: each is free at once. Locked in any other
      // order, it would hold some, and the other writer waiting for them would be a deadlock.
      const rest = byId.slice(1).map((test) => test.testRowId);
      const free = await sql<{ id: string }>`select id from tests where id = any(${rest}::uuid[]) for update nowait`.execute(trx);
      expect(free.rows).toHaveLength(19);
    });
    await recording;
    expect((await rowsOf(runId)).every((row) => row.status === 'awaiting_trace')).toBe(true);
  });
});
