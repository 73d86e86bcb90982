import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoBaselineConfig, demoInferenceSteps, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { startPhoenixStack, waitForPhoenixRun, type PhoenixStack } from '../helpers/phoenix-stack.js';
import { eventually } from '../helpers/phoenix-trace-sender.js';
import { startSwitchableProxy } from '../helpers/switchable-proxy.js';
import { createPhoenixClient } from '../../hosts/phoenix/phoenix-client.js';

// The plugin reaches Phoenix through a proxy that goes away (connections dropped) and then answers 503 during a run,
// while the Python app keeps tracing into Phoenix directly: the run waits, finds every trace once Phoenix is back,
// and counts each test once.
let stack: PhoenixStack;
let proxy: Awaited<ReturnType<typeof startSwitchableProxy>>;
const direct = createPhoenixClient({ baseUrl: inject('phoenixUrl'), apiKey: inject('phoenixApiKey') });

beforeAll(async () => {
  proxy = await startSwitchableProxy(inject('phoenixUrl'));
  stack = await startPhoenixStack({ shellPhoenixUrl: proxy.url, modelLatencyMs: 1_000 });
});
afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

describe('Phoenix away during a run', () => {
  it('loses nothing and counts nothing twice: the run waits and resumes from where span reading stood', async () => {
    const created = await stack.experiments('POST', '/experiments', { name: 'Outage' });
    const experimentId = created.body.id as string;
    const chosen = await stack.experiments('PATCH', `/experiments/${experimentId}`, {
      inferenceSteps: demoInferenceSteps.map((step) => step.externalId),
      taskSource: { sourceId: stack.datasetId, splits: ['even'] },
    });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    const total = Math.ceil(demoTasks.length / 2);
    expect(chosen.body.taskCount).toBe(total);
    await stack.experiments('PUT', `/experiments/${experimentId}/baseline`, { config: demoBaselineConfig });
    const baselineId = (await stack.experiments('GET', `/experiments/${experimentId}`)).body.variants[0].id as string;
    const started = await stack.experiments('POST', `/experiments/${experimentId}/variants/${baselineId}/runs`, {
      // Every test must go out while Phoenix is away: a run keeps at most 10 × concurrency tests waiting for their
      // traces, so concurrency 1 would hold back 2 of the 12 until traces could be read again.
      concurrency: 2,
      traceTimeoutSeconds: 120,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.runId as string;
    const progress = async () => (await stack.experiments('GET', `/experiments/${experimentId}/runs/${runId}`)).body;

    // Away before any trace exists (a test's two model calls take 1 s each). Waiting for some tests to be final
    // first raced: the app works on all the tests it was sent together, so they can all be final at once.
    proxy.set('down');
    // Every test's trace reaches Phoenix while the plugin cannot read it.
    const testIds = (await stack.experiments('GET', `/experiments/${experimentId}/runs/${runId}/tests?limit=100`)).body.items.map(
      (test: { testId: string }) => test.testId,
    ) as string[];
    expect(testIds).toHaveLength(total);
    await eventually(async () => {
      for (const testId of testIds) {
        const tagged = await direct.spans.byAttribute(stack.phoenixProject, 'experiment.test_id', testId).catch(() => []);
        if (tagged.length === 0) return undefined;
      }
      return true;
    }, 120_000);
    const whileDown = await progress();
    expect(whileDown.status).toBe('running');
    expect(whileDown.progress.done).toBe(0);
    proxy.set('errors');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await progress()).progress.done).toBe(whileDown.progress.done);

    proxy.set('up');
    const finished = await waitForPhoenixRun(stack, experimentId, runId, 120_000);
    expect(finished.status).toBe('completed');
    expect(finished.counts.total).toBe(total);
    expect(finished.counts.passed + finished.counts.failed).toBe(total);
    expect(finished.counts.timedOut + finished.counts.errored).toBe(0);
    // One link per test, none a duplicate or late: each trace was read once for its test, or read again harmlessly.
    const links = await stack.shell.sql<Array<{ kind: string; n: number }>>`
      select kind, count(*)::int as n from experiments.trace_links where project_id = ${stack.projectId} group by kind`;
    expect([...links]).toEqual([{ kind: 'linked', n: total }]);
  }, 300_000);
});
