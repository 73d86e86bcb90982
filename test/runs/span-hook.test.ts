import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';

const hookSecret = `whsec_${Buffer.from('a span hook secret of 32 bytes!!').toString('base64')}`;
let stack: RunStack;

beforeAll(async () => {
  stack = await startRunStack({ plugin: { hookSecret }, spansViaHook: true });
});
afterAll(async () => {
  await stack?.close();
});

const hookPath = '/plugins/experiments/hooks/spans';

describe('the signed span hook, for hosts in another process', () => {
  it('links traces delivered over HTTP just like the in-process call', async () => {
    const taskIds = (await createTasks(stack)).slice(0, 6);
    const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig as never);
    const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {});
    const run = await waitForRun(stack, experiment.id, started.body.runId);
    expect(run.status).toBe('completed');
    expect(run.counts.passed + run.counts.failed).toBe(6);
  });

  it('refuses unsigned, wrongly signed and malformed deliveries', async () => {
    const body = JSON.stringify({ projectId: stack.projectId, spans: [] });
    const unsigned = await fetch(`${stack.baseUrl}${hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(`${stack.baseUrl}${hookPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body,
    });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.code).toBe('unauthorized');
  });
});
