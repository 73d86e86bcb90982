import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginDatabase, insertExperimentWithBaseline } from '../../test/helpers/plugin-database.js';
import { testStatuses } from '../domain/experiment-status.js';
import { seededRandom, seededShuffle } from '../domain/seeded-random.js';
import { tasksInOrder } from '../domain/task-outcomes.js';
import { stoppingDecision } from '../../workflows/run-decisions.js';
import type { Db } from './connect.js';
import { claimNextDeliveries } from './dispatch-repository.js';
import { jsonb } from './jsonb.js';
import { runSpend, runTasksInOrder, stopSending, testOutcomesInOrder } from './run-stopping.js';
import { releaseInterruptedDeliveries } from './test-repository.js';

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;

beforeAll(async () => {
  database = await createPluginDatabase('stopping');
  db = database.db;
});
afterAll(async () => {
  await database?.close();
});

/** A variant's run of `tasks` tasks × `repeats` repeats in a shuffled order, each test's status drawn by `status`. */
async function runOf(tasks: number, repeats: number, status: (position: number) => string, seed = 7) {
  const { experiment, variant } = await insertExperimentWithBaseline(db, 'p', 'Stopping');
  const taskIds = Array.from({ length: tasks }, (_, i) => `task-${i}`);
  await db
    .insertInto('experiment_tasks')
    .values(taskIds.map((id, position) => ({ experiment_id: experiment.id, task_id: id, position, snapshot: jsonb({ id, title: id, prompt: id }) })))
    .execute();
  const run = await db
    .insertInto('runs')
    .values({
      experiment_id: experiment.id, variant_id: variant.id, number: 1, is_baseline: false, status: 'running', concurrency: 2, repeats,
      trace_timeout_seconds: 60, config: JSON.stringify({}), total: tasks * repeats, workflow_id: `run-${experiment.id}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const order = seededShuffle(taskIds, seed);
  const tests = order.flatMap((taskId, t) =>
    Array.from({ length: repeats }, (_, repeat) => {
      const position = t * repeats + repeat;
      const state = status(position);
      return {
        run_id: run.id, task_id: taskId, repeat, position, test_id: crypto.randomUUID(), status: state,
        not_run_reason: state === 'not_run' ? 'stopped_early' : null, cost: state === 'passed' || state === 'failed' ? 0.001 : null,
      };
    }),
  );
  await db.insertInto('tests').values(tests).execute();
  return run.id;
}

describe("a run's tasks for the stopping decision", () => {
  it('are tallied by one aggregate query exactly as from every test, so the decision is the same', async () => {
    const random = seededRandom(15);
    for (const repeats of [1, 3]) {
      const runId = await runOf(40, repeats, () => testStatuses[Math.floor(random() * testStatuses.length)]!);
      const fromTests = tasksInOrder(await testOutcomesInOrder(db, runId));
      const aggregated = await runTasksInOrder(db, runId);
      expect(aggregated).toEqual(fromTests);
      // And the decision over a run that finished in order, with the same baseline, is identical.
      const finishedRunId = await runOf(40, repeats, (position) => (position % 5 === 0 ? 'passed' : 'failed'));
      const baseline = (await runTasksInOrder(db, finishedRunId)).map((task) => ({ taskId: task.taskId, passes: task.finished, finished: task.finished }));
      const rules = { whenDecided: { alpha: 0.05, kind: repeats === 1 ? ('discordant_mixture' as const) : ('betting' as const) }, maxCost: null, maxTokens: null };
      const spent = { cost: 0, tokens: 0 };
      const decision = stoppingDecision(rules, { tasks: await runTasksInOrder(db, finishedRunId), baseline, spent });
      expect(decision).toEqual(stoppingDecision(rules, { tasks: tasksInOrder(await testOutcomesInOrder(db, finishedRunId)), baseline, spent }));
      expect(decision).toMatchObject({ reason: 'stopped_early', verdict: 'worse' });
    }
  });

  it('marks spend so that a look where nothing finished since can be skipped', async () => {
    const runId = await runOf(4, 1, (position) => (position < 2 ? 'passed' : 'pending'));
    const before = await runSpend(db, runId);
    expect(before).toMatchObject({ cost: 0.002, costedTests: 2 });
    expect((await runSpend(db, runId)).mark).toBe(before.mark);
    await claimNextDeliveries(db, runId, 1);
    expect((await runSpend(db, runId)).mark).toBe(before.mark);
    await db.updateTable('tests').set({ status: 'failed', finished_at: new Date() }).where('run_id', '=', runId).where('status', '=', 'dispatched').execute();
    expect((await runSpend(db, runId)).mark).not.toBe(before.mark);
  });
});

describe('stopping a run', () => {
  it('makes only the pending tests not run; tests claimed before it are sent, even after a crash, and count as in flight', async () => {
    const runId = await runOf(10, 1, (position) => (position < 3 ? 'failed' : position < 5 ? 'awaiting_trace' : 'pending'));
    // Two claimed by a delivery whose worker then died: they may have reached the application.
    expect(await claimNextDeliveries(db, runId, 2)).toHaveLength(2);
    const counts = await stopSending(db, runId, 'stopped_early', (stop) => ({ reason: 'stopped_early', ...stop }));
    expect(counts).toEqual({ notSent: 3, inFlight: 4 });
    // Once only: a second look finds the run stopped and changes nothing.
    expect(await stopSending(db, runId, 'stopped_early', () => ({}))).toBeNull();
    // The next delivery releases the two claimed tests and sends them again; nothing else is left to claim.
    expect(await releaseInterruptedDeliveries(db, runId)).toBe(2);
    expect(await claimNextDeliveries(db, runId, 10)).toHaveLength(2);
    const statuses = (await testOutcomesInOrder(db, runId)).map((test) => test.status);
    expect(statuses).toEqual(['failed', 'failed', 'failed', 'awaiting_trace', 'awaiting_trace', 'dispatched', 'dispatched', 'not_run', 'not_run', 'not_run']);
  });
});
