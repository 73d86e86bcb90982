import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { parseCsv } from '../results/results-fixture.js';

// Issue 15: every test's tokens and cost, per step, priced from the demo application's traces by the shipped table,
// the host's (config) and the project's own (PUT /api/model-prices).
let stack: RunStack;
let taskIds: string[];

beforeAll(async () => {
  stack = await startRunStack({ plugin: { modelPrices: { 'acme-host-model': { inputPerMillion: 2, outputPerMillion: 4 } } } });
  taskIds = (await createTasks(stack)).slice(0, 4);
});
afterAll(async () => {
  await stack?.close();
});

async function testsOf(runId: string) {
  const tests = await sql<{ id: string; input_tokens: number | null; output_tokens: number | null; total_tokens: number | null; cost: number | null; cost_note: string | null }>`
    select id, input_tokens, output_tokens, total_tokens, cost, cost_note from experiments.tests where run_id = ${runId} order by position`.execute(stack.host.db);
  const steps = await sql<{ test_row_id: string; step: string; input_tokens: number | null; output_tokens: number | null; total_tokens: number | null; cost: number | null; cost_note: string | null }>`
    select s.test_row_id, s.step, s.input_tokens, s.output_tokens, s.total_tokens, s.cost, s.cost_note
    from experiments.test_steps s join experiments.tests t on t.id = s.test_row_id where t.run_id = ${runId} order by s.step`.execute(stack.host.db);
  return tests.rows.map((test) => ({ ...test, steps: steps.rows.filter((s) => s.test_row_id === test.id) }));
}

describe('model prices of a project', () => {
  it('lists the shipped, host and project prices, and refuses a bad table without changing anything', async () => {
    const before = await stack.experiments('GET', '/model-prices');
    expect(before.status).toBe(200);
    expect(before.body.project).toEqual({});
    expect(before.body.models).toContainEqual({ model: 'gpt-4o-mini', inputPerMillion: 0.15, outputPerMillion: 0.6, source: 'shipped' });
    expect(before.body.models).toContainEqual({ model: 'acme-host-model', inputPerMillion: 2, outputPerMillion: 4, source: 'host' });

    for (const body of [
      { prices: { 'gpt-4o-mini': { inputPerMillion: -1, outputPerMillion: 1 } } },
      { prices: { 'gpt-4o-mini': { inputPerMillion: 1 } } },
      { prices: { 'gpt-4o-mini': { inputPerMillion: 1, outputPerMillion: 1, cached: 1 } } },
      { prices: { ' ': { inputPerMillion: 1, outputPerMillion: 1 } } },
      { prices: { 'bad\u0000name': { inputPerMillion: 1, outputPerMillion: 1 } } },
      { prices: [] },
      { table: {} },
    ]) {
      const refused = await stack.experiments('PUT', '/model-prices', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('bad_request');
    }
    expect((await stack.experiments('GET', '/model-prices')).body).toEqual(before.body);
  });
});

describe('cost and tokens of every test and step', () => {
  it('prices the demo traces by the project table, and says which model it does not know', async () => {
    // The project prices gpt-4o-mini at $1,000 / $2,000 per million: easy to check, and it must win over the shipped price.
    const set = await stack.experiments('PUT', '/model-prices', { prices: { 'GPT-4o-mini': { inputPerMillion: 1000, outputPerMillion: 2000 } } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.models).toContainEqual({ model: 'gpt-4o-mini', inputPerMillion: 1000, outputPerMillion: 2000, source: 'project' });

    const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig as never);
    const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const baseline = await waitForRun(stack, experiment.id, started.body.runId);
    expect(baseline.status).toBe('completed');

    const tests = await testsOf(started.body.runId);
    expect(tests).toHaveLength(4);
    for (const test of tests) {
      expect(test.input_tokens).toBeGreaterThan(0);
      expect(test.output_tokens).toBeGreaterThan(0);
      expect(test.total_tokens).toBe(test.input_tokens! + test.output_tokens!);
      expect(test.cost_note).toBeNull();
      expect(test.cost).toBeCloseTo((test.input_tokens! * 1000 + test.output_tokens! * 2000) / 1e6, 9);
      expect(test.steps.map((s) => s.step)).toEqual(['classifier', 'response_generator']);
      for (const step of test.steps) expect(step.cost).toBeCloseTo((step.input_tokens! * 1000 + step.output_tokens! * 2000) / 1e6, 9);
      expect(test.steps.reduce((sum, s) => sum + s.cost!, 0)).toBeCloseTo(test.cost!, 9);
    }

    const variant = await stack.experiments('POST', `/experiments/${experiment.id}/variants`, {
      parentId: experiment.baselineVariantId,
      name: 'Unpriced responder',
      override: { step: 'response_generator', parameter: 'model', value: 'acme-unknown-1' },
    });
    expect(variant.status).toBe(201);
    const run = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${variant.body.id}/runs`, {});
    expect((await waitForRun(stack, experiment.id, run.body.runId)).status).toBe('completed');
    for (const test of await testsOf(run.body.runId)) {
      expect(test).toMatchObject({ cost: null, cost_note: 'unknown model acme-unknown-1' });
      expect(test.total_tokens).toBeGreaterThan(0);
      const [classifier, responder] = test.steps;
      expect(classifier).toMatchObject({ step: 'classifier', cost_note: null });
      expect(classifier!.cost).toBeGreaterThan(0);
      expect(responder).toMatchObject({ step: 'response_generator', cost: null, cost_note: 'unknown model acme-unknown-1' });
    }

    // The exports carry tokens and cost per run and per step, and say which cost is unknown instead of a zero.
    const exported = async (format: 'csv' | 'md') => {
      const response = await fetch(`${stack.baseUrl}/plugins/experiments/api/experiments/${experiment.id}/results.${format}`, { headers: { 'x-api-key': stack.apiKey } });
      expect(response.status).toBe(200);
      return response.text();
    };
    const [header, ...rows] = parseCsv(await exported('csv'));
    const records = rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
    const baselineRow = records.find((r) => r.is_baseline === 'true')!;
    const unpricedRow = records.find((r) => r.name === 'Unpriced responder')!;
    const baselineTests = await testsOf(started.body.runId);
    const sum = (values: Array<number | null>) => values.reduce<number>((total, value) => total + (value ?? 0), 0);
    expect(Number(baselineRow.cost)).toBeCloseTo(sum(baselineTests.map((t) => t.cost)), 9);
    expect(Number(baselineRow.tokens_input)).toBe(sum(baselineTests.map((t) => t.input_tokens)));
    expect(baselineRow).toMatchObject({ cost_unknown_tests: '0', cost_note: '' });
    for (const step of ['classifier', 'response_generator']) {
      const stepTests = baselineTests.flatMap((t) => t.steps.filter((s) => s.step === step));
      expect(Number(baselineRow[`step:${step}:cost`])).toBeCloseTo(sum(stepTests.map((s) => s.cost)), 9);
      expect(Number(baselineRow[`step:${step}:output_tokens`])).toBe(sum(stepTests.map((s) => s.output_tokens)));
    }
    // Every test of the unpriced variant has an unknown cost: no cost, not zero, and the reason.
    expect(unpricedRow).toMatchObject({ cost: '', cost_unknown_tests: '4', cost_note: 'unknown model acme-unknown-1' });
    expect(unpricedRow).toMatchObject({ 'step:response_generator:cost': '', 'step:response_generator:cost_note': 'unknown model acme-unknown-1' });
    expect(Number(unpricedRow['step:classifier:cost'])).toBeGreaterThan(0);
    expect(unpricedRow['step:classifier:cost_unknown_tests']).toBe('0');

    const md = await exported('md');
    const usage = md.slice(md.indexOf('## Tokens and cost')).split('\n').filter((line) => line.startsWith('| Unpriced responder |'));
    expect(usage).toEqual([
      expect.stringMatching(/^\| Unpriced responder \| all steps \| [\d,]+ \| [\d,]+ \| unknown \(4 tests unknown: unknown model acme-unknown-1\) \|$/),
      expect.stringMatching(/^\| Unpriced responder \| classifier \| [\d,]+ \| [\d,]+ \| \$[\d.]+ \|$/),
      expect.stringMatching(/^\| Unpriced responder \| response\\?_generator \| [\d,]+ \| [\d,]+ \| unknown \(4 tests unknown: unknown model acme-unknown-1\) \|$/),
    ]);
    expect(md).toContain('add the model to the project’s price table');
  });
});
