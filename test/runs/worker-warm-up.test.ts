import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig } from '../../dev/demo-app/demo-catalog.js';
import { until } from '../helpers/until.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';

// A new worker runs a warm-up workflow against itself as it starts polling, so the first run a user starts does not
// pay the SDK's first workflow task and the first connections (workflows/warm-up-workflow.ts).
const { EventType } = proto.temporal.api.enums.v1;

/** The warm-up workflows started on this stack's task queue (each stack has a queue of its own). */
async function warmUps(client: Client, taskQueue: string): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowType = 'warmUpWorkflow' AND TaskQueue = '${taskQueue}'` })) {
    found.push(execution);
  }
  return found;
}

describe('a new worker', () => {
  let stack: RunStack;
  beforeAll(async () => {
    stack = await startRunStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('warms itself up with one workflow that reads through a local and a queued activity, and completes', async () => {
    const client = await stack.plugin.temporalClient();
    const [warmUp] = await until(
      () => warmUps(client, stack.taskQueue),
      (found) => found.some((execution) => execution.status.name === 'COMPLETED'),
      20_000,
    );
    expect(warmUp?.status.name).toBe('COMPLETED');
    const history = await client.workflow.getHandle(warmUp!.workflowId).fetchHistory();
    const kinds = (history.events ?? []).map((event) => event.eventType);
    // The local activity is recorded as a marker; the queued one as a completed activity task. Neither failed.
    expect(kinds.filter((kind) => kind === EventType.EVENT_TYPE_MARKER_RECORDED)).toHaveLength(1);
    expect(kinds.filter((kind) => kind === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)).toHaveLength(1);
    expect(kinds).not.toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
  });
});

describe('a worker created with warmUp: false', () => {
  let stack: RunStack;
  beforeAll(async () => {
    stack = await startRunStack({ startWorker: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('starts no warm-up, and runs as before', async () => {
    const worker = await stack.plugin.createWorker({ warmUp: false });
    const running = worker.run();
    try {
      const taskIds = (await createTasks(stack)).slice(0, 2);
      const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig as never);
      const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, { concurrency: 2 });
      expect(started.status).toBe(202);
      expect((await waitForRun(stack, experiment.id, started.body.runId)).status).toBe('completed');
      expect(await warmUps(await stack.plugin.temporalClient(), stack.taskQueue)).toEqual([]);
    } finally {
      worker.shutdown();
      await running;
    }
  });
});
