import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig as demoConfig } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';

// Issue 18: "Run all drafts" queues the draft variants; their runs go one after another from a queue kept in Postgres
// and worked by a Temporal workflow, so the queue waits out a stopped worker; a queued run can be taken out before it starts.
const demoBaselineConfig = demoConfig as unknown as Record<string, Record<string, unknown>>;
// A baseline, then several runs one after another (and a worker restarted, which bundles the workflows again): on a
// loaded machine this takes longer than the suite's default minute.
const queueTimeout = 180_000;
let stack: RunStack;

beforeAll(async () => {
  stack = await startRunStack();
});
afterAll(async () => {
  await stack?.close();
});

async function lockedExperimentWithDrafts(names: string[]) {
  const taskIds = (await createTasks(stack)).slice(0, 4);
  const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig);
  const baseline = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {
    concurrency: 4,
  });
  expect((await waitForRun(stack, experiment.id, baseline.body.runId)).status).toBe('completed');
  const drafts: string[] = [];
  for (const [index, name] of names.entries()) {
    const created = await stack.experiments('POST', `/experiments/${experiment.id}/variants`, {
      parentId: experiment.baselineVariantId,
      name,
      override: { step: 'classifier', parameter: 'max_tokens', value: 100 + index },
    });
    expect(created.status).toBe(201);
    drafts.push(created.body.id);
  }
  return { ...experiment, drafts };
}

/** The experiment's runs once its queue is empty and no run is open. */
async function runsOf(experimentId: string) {
  for (let i = 0; ; i++) {
    // The queue first: a run the queue starts is created as its entry goes, so once the queue is seen empty every run
    // it started is in the list read after.
    const queue = await stack.experiments('GET', `/experiments/${experimentId}/queue`);
    const listed = await stack.experiments('GET', `/experiments/${experimentId}/runs`);
    const open = listed.body.runs.some((run: any) => run.status === 'pending' || run.status === 'running');
    if (!open && queue.body.queue.length === 0) return listed.body.runs as any[];
    if (i > 1_800) throw new Error(`queue still working: ${JSON.stringify(listed.body.runs)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the run queue', () => {
  it(
    'runs every draft one after another, with the settings it was queued with',
    async () => {
      const experiment = await lockedExperimentWithDrafts(['Cooler', 'Colder', 'Coldest']);
      const queued = await stack.experiments('POST', `/experiments/${experiment.id}/queue`, { settings: { concurrency: 2, repeats: 2 } });
      expect(queued.status, JSON.stringify(queued.body)).toBe(202);
      expect(queued.body.added).toBe(3);

      const runs = (await runsOf(experiment.id)).filter((run) => !run.isBaseline);
      expect(runs.map((run) => run.variantId).sort()).toEqual([...experiment.drafts].sort());
      expect(runs.every((run) => run.status === 'completed' && run.total === 8)).toBe(true);
      // One after another: each run was created only once the one before it had finished.
      const ordered = runs.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
      expect(ordered.map((run) => run.variantId)).toEqual(experiment.drafts);
      for (let i = 1; i < ordered.length; i++)
        expect(Date.parse(ordered[i].createdAt)).toBeGreaterThanOrEqual(Date.parse(ordered[i - 1].finishedAt));
      expect((await stack.experiments('GET', `/experiments/${experiment.id}`)).body.status).toBe('idle');

      // Nothing is a draft any more: a second "run all drafts" has nothing to queue.
      const again = await stack.experiments('POST', `/experiments/${experiment.id}/queue`, {});
      expect(again.status).toBe(422);
    },
    queueTimeout,
  );

  it(
    'keeps the queue while no worker runs, lets a queued run be taken out, and runs the rest once a worker is back',
    async () => {
      const experiment = await lockedExperimentWithDrafts(['Warm', 'Warmer']);
      await stack.stopWorker();
      try {
        const queued = await stack.experiments('POST', `/experiments/${experiment.id}/queue`, {});
        expect(queued.status).toBe(202);
        expect(queued.body.queue.map((entry: any) => entry.variantId)).toEqual(experiment.drafts);
        const second = queued.body.queue[1];
        const removed = await stack.experiments('DELETE', `/experiments/${experiment.id}/queue/${second.id}`);
        expect(removed.status).toBe(200);
        expect(removed.body.queue.map((entry: any) => entry.variantId)).toEqual([experiment.drafts[0]]);
        expect((await stack.experiments('DELETE', `/experiments/${experiment.id}/queue/${second.id}`)).status).toBe(404);
      } finally {
        await stack.startWorker();
      }
      const runs = (await runsOf(experiment.id)).filter((run) => !run.isBaseline);
      expect(runs.map((run) => [run.variantId, run.status])).toEqual([[experiment.drafts[0], 'completed']]);
    },
    queueTimeout,
  );

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const experiment = await lockedExperimentWithDrafts(['Only']);
    const cases: Array<[unknown, number]> = [
      [{ variantIds: [] }, 400],
      [{ variantIds: ['not-a-variant'] }, 422],
      [{ variantIds: [experiment.baselineVariantId] }, 422],
      [{ settings: { concurrency: 0 } }, 400],
      [{ extra: true }, 400],
    ];
    for (const [body, status] of cases) {
      const response = await stack.experiments('POST', `/experiments/${experiment.id}/queue`, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.error.message).toBeTruthy();
    }
    expect((await stack.experiments('GET', `/experiments/${experiment.id}/queue`)).body.queue).toEqual([]);
    expect((await stack.experiments('DELETE', `/experiments/${experiment.id}/queue/nope`)).status).toBe(404);
    const completed = await stack.experiments('POST', `/experiments/${experiment.id}/complete`, {});
    expect(completed.status).toBe(200);
    const refused = await stack.experiments('POST', `/experiments/${experiment.id}/queue`, {});
    expect(refused.status).toBe(409);
  });
});
