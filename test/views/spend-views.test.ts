import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonb } from '../../plugin/store/jsonb.js';
import { startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { seedExperiment, type SeededExperiment } from '../results/results-fixture.js';
import { query, queryAll, textOf, type HtmlElement } from './html.js';
import { mount, viewClient } from './view-client.js';

/**
 * Issue 15 in the tab: a cost that is unknown says so and links to the Model prices page, a run that stopped early
 * says why beside its row, a verdict from the sequential test is labelled as such, and the variant tree shows each
 * variant's whole difference from the baseline.
 */
let h: PluginHarness;
let view: ReturnType<typeof viewClient>;
let seeded: SeededExperiment;

const stopped = { reason: 'stopped_early', status: 'decided', verdict: 'worse', afterTasks: 3, totalTasks: 6, notSent: 3, inFlight: 0, savedCost: 3.2 };

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
  seeded = await seedExperiment(h.db, {
    projectId: h.projects.a.id,
    name: 'Spend views',
    taskCount: 6,
    baselineConfig: { classifier: { model: 'gpt-4o-mini', temperature: 0.7 }, response_generator: { model: 'gpt-4o' } },
    baselineRuns: [{ tests: ['P', 'P', 'F', 'F', 'P', 'F'] }],
    variants: [
      { key: 'A', name: 'Cooler', override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [{ tests: ['P', 'P', 'P', 'F', 'P', 'P'] }] },
      // A child of A on a model the price table does not know.
      { key: 'U', name: 'Cooler on Llama', parent: 'A', override: { step: 'response_generator', parameter: 'model', value: 'llama-3-70b' }, runs: [{ tests: ['P', 'P', 'P', 'P', 'F', 'P'] }] },
      { key: 'Q', name: 'Partly priced', override: { step: 'classifier', parameter: 'temperature', value: 0.5 }, runs: [{ tests: ['P', 'P', 'F', 'F', 'P', 'P'] }] },
      // Decided worse after 3 of its 6 tasks: the other 3 were never sent.
      { key: 'S', name: 'Hot', override: { step: 'classifier', parameter: 'temperature', value: 1.5 }, runs: [{ tests: ['F', 'F', 'F', 'N', 'N', 'N'] }] },
    ],
  });
  const [unpricedRun] = seeded.runIds.U!;
  await h.db.updateTable('tests').set({ cost: null, cost_note: 'unknown model llama-3-70b' }).where('run_id', '=', unpricedRun!).where('trace_id', 'is not', null).execute();
  const unpricedTests = await h.db.selectFrom('tests').select(['id', 'attempt']).where('run_id', '=', unpricedRun!).where('trace_id', 'is not', null).execute();
  await h.db
    .insertInto('test_steps')
    .values(
      unpricedTests.map((test) => ({
        test_row_id: test.id,
        attempt: test.attempt,
        step: 'response_generator',
        latency_ms: 200,
        input_tokens: 40,
        output_tokens: 18,
        total_tokens: 58,
        cost: null,
        cost_note: 'unknown model llama-3-70b',
      })),
    )
    .execute();
  // Two of Q's six tests named a model without a price; the other four are priced.
  await h.db
    .updateTable('tests')
    .set({ cost: null, cost_note: 'unknown model acme-llm-2' })
    .where('run_id', '=', seeded.runIds.Q![0]!)
    .where('position', 'in', [0, 1])
    .execute();
  const [stoppedRun] = seeded.runIds.S!;
  await h.db.updateTable('runs').set({ stop_when_decided: true, stopped: jsonb(stopped) }).where('id', '=', stoppedRun!).execute();
  await h.db.updateTable('tests').set({ not_run_reason: 'stopped_early' }).where('run_id', '=', stoppedRun!).where('status', '=', 'not_run').execute();
});
afterAll(async () => {
  await h?.close();
});

const experimentPath = () => `${mount}/experiments/${seeded.id}`;
const rowOf = (doc: HtmlElement, key: string) => query(doc, `table.xp-results tbody tr[data-variant-id="${seeded.variantIds[key]}"]`);
const pricesLink = (model: string) => `${mount}/model-prices?model=${encodeURIComponent(model)}`;

describe('an unknown cost', () => {
  it('reads “unknown — model X not in the price table” with a link to add its price, never $0 or a bare dash', async () => {
    const page = await view('GET', experimentPath());
    const cell = query(rowOf(page.doc, 'U'), 'td[data-cost]');
    expect(cell.attrs['data-cost']).toBe('');
    expect(textOf(cell)).toMatch(/^unknown — model llama-3-70b not in the price table \(add its price for llama-3-70b\)$/);
    expect(query(cell, 'a').attrs.href).toBe(pricesLink('llama-3-70b'));
    // The per-step table says the same for the step that called it.
    const step = query(page.doc, `table.xp-step-table tbody[data-variant-id="${seeded.variantIds.U}"] tr[data-step="response_generator"] td[data-cost]`);
    expect(textOf(step)).toMatch(/^unknown — model llama-3-70b not in the price table/);
    // A priced variant is untouched.
    expect(textOf(query(rowOf(page.doc, 'A'), 'td[data-cost]'))).toMatch(/^\$0\.\d{4}$/);
  });

  it('reads “≥ $x” when only some tests were priced, with how many were not and why', async () => {
    const page = await view('GET', experimentPath());
    const cell = query(rowOf(page.doc, 'Q'), 'td[data-cost]');
    // Tasks 3–6 priced: 0.003 + 0.004 + 0.005 + 0.006.
    expect(textOf(cell)).toMatch(/^≥ \$0\.0180 — 2 tests unknown: model acme-llm-2 not in the price table/);
    expect(query(cell, 'a').attrs.href).toBe(pricesLink('acme-llm-2'));
  });

  it('leaves a variant of unknown cost out of the cost chart, and says so', async () => {
    const page = await view('GET', experimentPath());
    const chart = query(page.doc, 'figure[data-chart="rate-vs-cost"]');
    const plotted = queryAll(chart, 'g.xp-chart-point').map((point) => point.attrs['data-variant-id']);
    expect(plotted).toEqual(['baseline', 'A', 'S'].map((key) => seeded.variantIds[key]));
    expect(textOf(query(chart, '[data-cost-left-out]'))).toBe('Not plotted, their cost being unknown (a model not in the price table): Cooler on Llama, Partly priced.');
  });

  it('says so in Compare too, for the run and for each step', async () => {
    const page = await view('GET', `${experimentPath()}/compare?v=${seeded.variantIds.A}&v=${seeded.variantIds.U}`);
    const costRow = queryAll(page.doc, 'table.xp-compare tbody tr').find((row) => textOf(query(row, 'th')) === 'Cost (tokens)')!;
    const [a, u] = queryAll(costRow, 'td').map(textOf);
    expect(a).toMatch(/^\$0\.\d{4} \(/);
    expect(u).toMatch(/^unknown — model llama-3-70b not in the price table \(add its price for llama-3-70b\) \(\d+ tokens\)$/);
    const step = queryAll(query(page.doc, 'table.xp-compare-steps tbody tr[data-step="response_generator"]'), 'td')[1]!;
    expect(textOf(step)).toMatch(/^unknown — model llama-3-70b/);
    expect(query(step, 'a').attrs.href).toBe(pricesLink('llama-3-70b'));
    // And for a single test, in the outputs side by side.
    const outputs = await view('GET', `${experimentPath()}/compare?v=${seeded.variantIds.A}&v=${seeded.variantIds.U}&task=task-0001`);
    const [priced, unpriced] = queryAll(outputs.doc, '#outputs section.xp-output').map((column) => textOf(query(column, 'p.xp-small')));
    expect(priced).toMatch(/· \$0\.0010/);
    expect(unpriced).toContain('· unknown — model llama-3-70b not in the price table');
  });

  it('says so on each test of the breakdown, with the link to add the price', async () => {
    const tests = await view('GET', `${experimentPath()}/runs/${seeded.runIds.Q![0]}/tests`);
    const figures = queryAll(tests.doc, 'article.xp-test').map((card) => queryAll(card, 'p.xp-small').map(textOf).find((line) => line.startsWith('Latency'))!);
    const unknown = figures.filter((line) => line.includes('cost unknown — model acme-llm-2 not in the price table'));
    // Two of Q's tests have no price; the others show theirs.
    expect(unknown).toHaveLength(2);
    expect(figures.filter((line) => /cost \$0\.\d{4}/.test(line))).toHaveLength(figures.length - 2);
    const link = queryAll(tests.doc, 'article.xp-test .xp-cost-unknown a')[0]!;
    expect(link.attrs.href).toBe(pricesLink('acme-llm-2'));
  });
});

describe('a run that stopped early', () => {
  it('shows the stop sentence beside its row and counts the tests not sent as not run (stopped early)', async () => {
    const page = await view('GET', experimentPath());
    const line = query(page.doc, `table.xp-results tr.xp-stop-row[data-stopped-variant-id="${seeded.variantIds.S}"]`);
    expect(textOf(line)).toBe('Stopped early Hot: decided worse after 3 of 6 tasks; 3 tests not sent (about $3.20 saved).');
    // Right under the variant's own row.
    const rows = queryAll(page.doc, 'table.xp-results tbody tr');
    expect(rows[rows.indexOf(line) - 1]!.attrs['data-variant-id']).toBe(seeded.variantIds.S);
    expect(queryAll(page.doc, 'tr.xp-stop-row')).toHaveLength(1);
    expect(textOf(query(rowOf(page.doc, 'S'), '[data-not-counted]'))).toBe('3 not run (stopped early), not counted');
  });

  it('labels its verdict as the anytime-valid sequential test’s, with a footnote, not the fixed-size test’s name', async () => {
    const page = await view('GET', experimentPath());
    const comparison = (key: string) => textOf(queryAll(rowOf(page.doc, key), 'td')[1]!);
    expect(comparison('S')).toContain('anytime-valid sequential test');
    expect(comparison('S')).not.toContain('McNemar');
    expect(query(rowOf(page.doc, 'S'), '.xp-sequential').attrs['aria-describedby']).toBe('sequential-note');
    expect(textOf(query(page.doc, '#sequential-note'))).toMatch(/^† Anytime-valid sequential test: the run could stop once its verdict was decided/);
    // Its interval is the anytime-valid one (a confidence sequence); a run of fixed size keeps its test's name and interval.
    expect(comparison('S')).toContain('anytime-valid 95% CI');
    expect(comparison('A')).toContain('exact McNemar');
    expect(comparison('A')).toMatch(/(^|[^-])95% CI/);
    expect(comparison('A')).not.toContain('anytime-valid 95% CI');
  });

  it('in Compare against the baseline: the sequential test’s p-value and name, and the stop', async () => {
    const results = (await h.request('GET', `/experiments/${seeded.id}/results`)).body as { variants: Array<{ variantId: string; vsBaseline: { pValue: number; sequential: string | null } | null }> };
    const judged = results.variants.find((variant) => variant.variantId === seeded.variantIds.S)!.vsBaseline!;
    expect(judged.sequential).toBe('discordant_mixture');
    const page = await view('GET', `${experimentPath()}/compare?v=${seeded.variantIds.baseline}&v=${seeded.variantIds.S}`);
    const sentence = textOf(query(page.doc, 'p[data-points]'));
    expect(sentence).toContain(`(anytime-valid sequential test†, p ${judged.pValue < 0.001 ? '< 0.001' : `= ${judged.pValue.toFixed(3)}`}`);
    expect(sentence).not.toContain('McNemar');
    expect(sentence).toContain('anytime-valid 95% CI');
    expect(query(page.doc, '#compare-sequential-note')).toBeTruthy();
    expect(textOf(query(page.doc, `li[data-stopped-variant-id="${seeded.variantIds.S}"]`))).toBe('B: Hot stopped sending: decided worse after 3 of 6 tasks; 3 tests not sent (about $3.20 saved).');
    const notRun = queryAll(page.doc, 'table.xp-compare tbody tr').find((row) => textOf(query(row, 'th')) === 'Not run (not counted)')!;
    expect(queryAll(notRun, 'td').map(textOf)).toEqual(['0', '3 (stopped early)']);
  });
});

describe('the variant tree', () => {
  it('lists each variant’s whole difference from the baseline, the inherited changes marked', async () => {
    const page = await view('GET', experimentPath());
    const node = (key: string) => query(page.doc, `ul.xp-tree li[data-variant-id="${seeded.variantIds[key]}"]`).children.find((child): child is HtmlElement => typeof child !== 'string' && child.attrs.class === 'xp-node')!;
    const changes = (key: string) => queryAll(node(key), 'ul.xp-changes li').map(textOf);
    expect(changes('A')).toEqual(['classifier.temperature: 0.7 → 0.2']);
    expect(changes('U')).toEqual(['classifier.temperature: 0.7 → 0.2 (inherited)', 'response_generator.model: "gpt-4o" → "llama-3-70b"']);
    expect(queryAll(node('baseline'), 'ul.xp-changes')).toHaveLength(0);
  });
});
