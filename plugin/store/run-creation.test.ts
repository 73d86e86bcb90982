import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginDatabase, insertExperimentWithBaseline } from '../../test/helpers/plugin-database.js';
import { seededShuffle } from '../domain/seeded-random.js';
import type { Db } from './connect.js';
import { insertRun, type RunSettings } from './run-creation.js';

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;
let experimentId: string;
let variantId: string;
let number = 0;

beforeAll(async () => {
  database = await createPluginDatabase('run_creation');
  db = database.db;
  const { experiment, variant } = await insertExperimentWithBaseline(db, 'p', 'Creation');
  [experimentId, variantId] = [experiment.id, variant.id];
});
afterAll(async () => {
  await database?.close();
});

const settings = (repeats: number, stopWhenDecided: RunSettings['stopWhenDecided'] = null): RunSettings => ({
  concurrency: 2, repeats, traceTimeoutSeconds: 60, taskRule: 'all', stopWhenDecided, maxCost: null, maxTokens: null,
});

/** Inserts a run over these tasks and returns its tests as stored, in the order they are dispatched. */
async function createdTests(taskIds: string[], runSettings: RunSettings) {
  const id = crypto.randomUUID();
  number += 1;
  const { total } = await insertRun(db, {
    id, experimentId, variantId, number, isBaseline: true, settings: runSettings, config: {} as never,
    workflowId: `run-creation-${number}`, createdBy: 'test', taskIds,
  });
  const tests = await db.selectFrom('tests').select(['task_id', 'repeat', 'position', 'status', 'test_id']).where('run_id', '=', id).orderBy('position').execute();
  // One run of an experiment is active at a time: this one is done with.
  await db.updateTable('runs').set({ status: 'cancelled' }).where('id', '=', id).execute();
  return { total, tests };
}

describe('creating a run', () => {
  it('writes one pending test per task × repeat, each task’s repeats together in task order, positions from 0', async () => {
    const { total, tests } = await createdTests(['b', 'a', 'c'], settings(2));
    expect(total).toBe(6);
    expect(tests.map((t) => [t.task_id, t.repeat, t.position])).toEqual([
      ['b', 0, 0], ['b', 1, 1], ['a', 0, 2], ['a', 1, 3], ['c', 0, 4], ['c', 1, 5],
    ]);
    expect(tests.every((t) => t.status === 'pending')).toBe(true);
    expect(new Set(tests.map((t) => t.test_id)).size).toBe(6);
  });

  it('sends the tasks of a run that may stop early in its seeded order', async () => {
    const taskIds = Array.from({ length: 12 }, (_, i) => `task-${i}`);
    const { tests } = await createdTests(taskIds, settings(1, { alpha: 0.05, orderSeed: 7 }));
    expect(tests.map((t) => t.task_id)).toEqual(seededShuffle(taskIds, 7));
    expect(tests.map((t) => t.task_id)).not.toEqual(taskIds);
  });

  it('creates 10,000 tests in one statement', async () => {
    const taskIds = Array.from({ length: 1_000 }, (_, i) => `many-${i}`);
    const { total, tests } = await createdTests(taskIds, settings(10));
    expect(total).toBe(10_000);
    expect(tests).toHaveLength(10_000);
    expect(tests[9_999]).toMatchObject({ task_id: 'many-999', repeat: 9, position: 9_999 });
  });
});
