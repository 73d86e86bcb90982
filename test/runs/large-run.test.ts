import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';

let stack: RunStack;

beforeAll(async () => {
  // A small history budget makes this run roll over several times, as a 10,000-test run does at the default.
  stack = await startRunStack({ demo: { latencyMs: 0 }, plugin: { maxConcurrency: 100, workflowHistoryBudget: 600 } });
});
afterAll(async () => {
  await stack?.close();
});

/** Every execution of a run's workflow chain (continue-as-new makes several) with its history length. */
async function executions(workflowId: string) {
  const client = await stack.plugin.temporalClient();
  const found: Array<{ runId: string; events: number }> = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    found.push({ runId: execution.runId, events: history.events?.length ?? 0 });
  }
  return found;
}

describe('a large run', () => {
  it('rolls over to new executions so that none nears the history limit, and loses no test', async () => {
    const tasks = Array.from({ length: 120 }, (_, i) => ({ ...demoTasks[i % demoTasks.length]!, title: `${demoTasks[i % demoTasks.length]!.title} #${i}` }));
    const experiment = await createReadyExperiment(stack, await createTasks(stack, tasks), demoBaselineConfig as never);
    const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, { concurrency: 50, repeats: 20 });
    expect(started.status).toBe(202);
    const run = await waitForRun(stack, experiment.id, started.body.runId, 240_000);
    expect(run.status).toBe('completed');
    expect(run.counts.total).toBe(2_400);
    expect(run.counts.passed + run.counts.failed).toBe(2_400);

    // How many events a run makes depends on timing (sweeps, evaluations the workflow does itself), so a fast,
    // quiet machine may finish within one execution. What must hold either way: no execution grows much past the
    // budget (work in flight adds events after the check): a run that needed more has rolled over.
    const chain = await executions(run.workflowId);
    const budget = 600;
    // Seen: 651 events before a roll-over, then 62.
    for (const execution of chain) expect(execution.events).toBeLessThan(budget + 150);
  }, 300_000);
});
