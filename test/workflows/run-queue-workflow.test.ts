import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueStep } from '../../plugin/operations/run-queue.js';
import type { RunActivities, RunPlan } from '../../workflows/activities.js';
import { runQueueWorkflow } from '../../workflows/run-queue-workflow.js';
import { workflowsPath } from '../../workflows/workflows-path.js';
import { temporalTestServerPath } from '../helpers/temporal-test-server.js';

// The queue workflow on the time-skipping test server with in-memory activities: it starts each queued run as a child
// and waits for it before the next, waits out a run started by hand (polling, which time-skipping makes instant), and
// ends when the queue is empty. (test/runs/run-queue.test.ts runs it against Postgres and a dev server.)
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

/** A queue of steps the fake `startNextQueuedRun` hands out in turn; each run "ends" at once (its workflow finds it closed). */
function fakeQueue(steps: QueueStep[]) {
  const log: string[] = [];
  const activities: Partial<RunActivities> = {
    async startNextQueuedRun() {
      const step = steps.shift() ?? { kind: 'empty' };
      log.push(step.kind === 'empty' ? 'empty' : `${step.kind} ${step.runId}`);
      return step;
    },
    async startRun(runId: string): Promise<RunPlan> {
      log.push(`ran ${runId}`);
      return { open: false, concurrency: 1, awaitingLimit: 10, traceTimeoutSeconds: 1, total: 0, historyBudget: 4_000 };
    },
  };
  return { activities, log };
}

let queueNumber = 0;
async function runQueue(steps: QueueStep[]) {
  const queue = fakeQueue(steps);
  const taskQueue = `run-queue-${++queueNumber}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities: queue.activities });
  const started = await worker.runUntil(
    env.client.workflow.execute(runQueueWorkflow, { taskQueue, workflowId: `queue-${queueNumber}`, args: [{ experimentId: 'e' }] }),
  );
  return { started, log: queue.log };
}

describe('the run queue workflow', () => {
  it('runs each queued run to its end before taking the next, then ends', async () => {
    const { started, log } = await runQueue([
      { kind: 'started', runId: 'r1', workflowId: 'experiment-run-r1' },
      { kind: 'started', runId: 'r2', workflowId: 'experiment-run-r2' },
    ]);
    expect(started).toBe(2);
    expect(log).toEqual(['started r1', 'ran r1', 'started r2', 'ran r2', 'empty']);
  });

  it('adopts a run left open without its workflow, and ends at once on an empty queue', async () => {
    const { started, log } = await runQueue([{ kind: 'open', runId: 'r3', workflowId: 'experiment-run-r3' }]);
    expect(started).toBe(0);
    expect(log).toEqual(['open r3', 'ran r3', 'empty']);
    expect((await runQueue([])).log).toEqual(['empty']);
  });
});
