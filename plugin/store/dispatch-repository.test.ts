import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginDatabase } from '../../test/helpers/plugin-database.js';
import type { Db } from './connect.js';
import { claimNextDeliveries } from './dispatch-repository.js';
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
  const experiment = await db.insertInto('experiments').values({ project_id: 'p', name: 'Claims' }).returning('id').executeTakeFirstOrThrow();
  const variant = await db.insertInto('variants').values({ experiment_id: experiment.id, name: 'Baseline', is_baseline: true }).returning('id').executeTakeFirstOrThrow();
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
