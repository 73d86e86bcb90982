import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { demoBaselineConfig as demoConfig } from '../../dev/demo-app/demo-catalog.js';

const demoBaselineConfig = demoConfig as unknown as Record<string, Record<string, unknown>>;
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { startReceiver, type Receiver } from '../helpers/receivers.js';

let stack: RunStack;
let proxy: Receiver;

beforeAll(async () => {
  stack = await startRunStack();
  // Record every webhook on its way to the demo app, to compare bodies with the effective config.
  proxy = await startReceiver({ forwardTo: stack.demo!.webhookUrl });
  await stack.api('PUT', '/api/webhook', { url: proxy.url });
});
afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

describe('a baseline and a branched variant, end to end through the demo application', () => {
  it('runs the baseline, locks it, then runs a variant whose webhooks carry its effective config', async () => {
    const taskIds = (await createTasks(stack)).slice(0, 12);
    const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig);

    const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, { concurrency: 4, repeats: 2 });
    expect(started.status).toBe(202);
    expect(started.body.progress.total).toBe(24);
    const baselineRun = await waitForRun(stack, experiment.id, started.body.runId);
    expect(baselineRun.status, JSON.stringify(baselineRun)).toBe('completed');
    expect(baselineRun.counts.passed + baselineRun.counts.failed).toBe(24);
    expect(baselineRun.counts.errored + baselineRun.counts.timedOut).toBe(0);

    const baselineBodies = proxy.received.filter((r) => r.body.experiment.runId === started.body.runId);
    expect(baselineBodies).toHaveLength(24);
    for (const { headers, body } of baselineBodies) {
      expect(headers['webhook-id']).toBe(body.testId);
      expect(() => new Webhook(stack.webhookSecret).verify(JSON.stringify(body), headers)).not.toThrow();
      expect(body.experiment.overrides).toEqual(demoBaselineConfig);
      expect(body.experiment.variantId).toBe(experiment.baselineVariantId);
    }
    expect(new Set(baselineBodies.map((b) => b.body.testId)).size).toBe(24);

    const locked = await stack.experiments('GET', `/experiments/${experiment.id}`);
    expect(locked.body.status).toBe('baseline_complete');
    expect(locked.body.lockedAt).toBeTruthy();

    const first = await stack.experiments('POST', `/experiments/${experiment.id}/variants`, {
      parentId: experiment.baselineVariantId,
      name: 'Cooler classifier',
      override: { step: 'classifier', parameter: 'temperature', value: 0.1 },
    });
    expect(first.status).toBe(201);
    const second = await stack.experiments('POST', `/experiments/${experiment.id}/variants`, {
      parentId: first.body.id,
      name: 'Bigger responder',
      override: { step: 'response_generator', parameter: 'model', value: 'gpt-4o' },
    });
    expect(second.status).toBe(201);

    const variantRun = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${second.body.id}/runs`, {});
    expect(variantRun.status).toBe(202);
    const finished = await waitForRun(stack, experiment.id, variantRun.body.runId);
    expect(finished.status).toBe('completed');

    const expected = structuredClone(demoBaselineConfig);
    expected.classifier!.temperature = 0.1;
    expected.response_generator!.model = 'gpt-4o';
    const variantBodies = proxy.received.filter((r) => r.body.experiment.runId === variantRun.body.runId);
    expect(variantBodies).toHaveLength(12);
    for (const { body } of variantBodies) expect(body.experiment.overrides).toEqual(expected);

    const after = await stack.experiments('GET', `/experiments/${experiment.id}`);
    expect(after.body.status).toBe('idle');
  });
});
