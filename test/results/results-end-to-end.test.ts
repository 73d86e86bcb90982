import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { parseCsv } from './results-fixture.js';

let stack: RunStack;

beforeAll(async () => {
  stack = await startRunStack();
});
afterAll(async () => {
  await stack?.close();
});

async function allTests(experimentId: string, runId: string, query = '') {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await stack.experiments(
      'GET',
      `/experiments/${experimentId}/runs/${runId}/tests?limit=5${query}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

describe('results of a real baseline and variant run through the demo application', () => {
  it('agree with the run counts, the tests pages and the flips', async () => {
    const taskIds = (await createTasks(stack)).slice(0, 12);
    const experiment = await createReadyExperiment(
      stack,
      taskIds,
      demoBaselineConfig as unknown as Record<string, Record<string, unknown>>,
    );
    const startedBaseline = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {
      concurrency: 4,
    });
    expect(startedBaseline.status).toBe(202);
    const baselineRun = await waitForRun(stack, experiment.id, startedBaseline.body.runId);
    expect(baselineRun.status).toBe('completed');

    const variant = await stack.experiments('POST', `/experiments/${experiment.id}/variants`, {
      parentId: experiment.baselineVariantId,
      name: 'Hot responder',
      override: { step: 'response_generator', parameter: 'temperature', value: 1.9 },
    });
    expect(variant.status).toBe(201);
    const startedVariant = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${variant.body.id}/runs`, {
      concurrency: 4,
    });
    const variantRun = await waitForRun(stack, experiment.id, startedVariant.body.runId);
    expect(variantRun.status).toBe('completed');

    const results = await stack.experiments('GET', `/experiments/${experiment.id}/results`);
    expect(results.status).toBe(200);
    expect(results.body).toMatchObject({
      experimentId: experiment.id,
      baselineVariantId: experiment.baselineVariantId,
      baselineRunId: baselineRun.runId,
    });
    expect(results.body.detectableDifference).toMatchObject({ tasks: 12, variants: 1 });

    for (const [variantId, run] of [
      [experiment.baselineVariantId, baselineRun],
      [variant.body.id, variantRun],
    ] as const) {
      const entry = results.body.variants.find((v: any) => v.variantId === variantId);
      expect(entry).toMatchObject({
        runId: run.runId,
        status: 'completed',
        total: run.counts.total,
        passed: run.counts.passed,
        failed: run.counts.failed,
        errored: run.counts.errored,
        timedOut: run.counts.timedOut,
        passRate: run.counts.passed / run.counts.total,
        repeats: 1,
        taskRule: 'all',
      });
      expect(entry.interval.low).toBeLessThanOrEqual(entry.passRate);
      expect(entry.interval.high).toBeGreaterThanOrEqual(entry.passRate);
      expect(entry.latency.p50).toBeGreaterThan(0);
      expect(entry.latency.p95).toBeGreaterThanOrEqual(entry.latency.p50);
      expect(entry.tokens.total).toBeGreaterThan(0);
      // Per step, from the trace's step spans: both demo steps, every evaluated test, tokens adding up.
      expect(entry.steps.map((step: { step: string }) => step.step)).toEqual(['classifier', 'response_generator']);
      for (const step of entry.steps) {
        expect(step.tests).toBe(run.counts.passed + run.counts.failed);
        expect(step.latency.p50).toBeGreaterThan(0);
      }
      const stepTokens = entry.steps.reduce((sum: number, step: { tokens: { input: number; output: number } }) => sum + step.tokens.input + step.tokens.output, 0);
      expect(stepTokens).toBe(entry.tokens.total);

      const tests = await allTests(experiment.id, run.runId);
      expect(tests).toHaveLength(run.counts.total);
      expect(new Set(tests.map((t) => t.testId)).size).toBe(run.counts.total);
      expect(tests.filter((t) => t.status === 'passed')).toHaveLength(run.counts.passed);
      for (const test of tests) {
        expect(taskIds).toContain(test.taskId);
        expect(test.taskTitle).toEqual(expect.any(String));
        if (test.traceId !== null) expect(test.traceUrl).toContain(encodeURIComponent(test.traceId));
        if (test.status === 'passed' || test.status === 'failed') expect(test.evaluations.length).toBeGreaterThan(0);
      }
      const latencies = tests.map((t) => t.latencyMs).filter((l) => l !== null);
      expect(Math.max(...latencies)).toBeGreaterThanOrEqual(entry.latency.p95);
    }

    const compared = results.body.variants.find((v: any) => v.variantId === variant.body.id);
    const baseline = results.body.variants.find((v: any) => v.variantId === experiment.baselineVariantId);
    expect(baseline.vsBaseline).toBeNull();
    expect(compared.vsBaseline).toMatchObject({ pairedTasks: 12 });
    expect(compared.vsBaseline.points).toBeCloseTo((compared.passRate - baseline.passRate) * 100, 9);
    const regressed = await allTests(experiment.id, variantRun.runId, '&flip=regressed');
    const improved = await allTests(experiment.id, variantRun.runId, '&flip=improved');
    expect(regressed).toHaveLength(compared.vsBaseline.regressions);
    expect(improved).toHaveLength(compared.vsBaseline.improvements);
    // With one repeat, the paired difference is exactly the difference in passed tests.
    expect(compared.vsBaseline.improvements - compared.vsBaseline.regressions).toBe(variantRun.counts.passed - baselineRun.counts.passed);
    for (const test of regressed) expect(test.baseline.status).toBe('passed');

    const csv = await fetch(`${stack.baseUrl}/plugins/experiments/api/experiments/${experiment.id}/results.csv`, {
      headers: { 'x-api-key': stack.apiKey },
    });
    expect(csv.status).toBe(200);
    expect(parseCsv(await csv.text())).toHaveLength(3);
    const md = await fetch(`${stack.baseUrl}/plugins/experiments/api/experiments/${experiment.id}/results.md`, {
      headers: { 'x-api-key': stack.apiKey },
    });
    expect(await md.text()).toContain('| Hot responder | response_generator.temperature: 0.7 → 1.9 |');
  });
});
