import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { seedExperiment, type SeededExperiment } from '../results/results-fixture.js';
import { query, queryAll, textOf, type HtmlElement } from './html.js';
import { mount, viewClient } from './view-client.js';

/** Issue 18, the results half of the tab: exports, the results table, its charts and Compare. */
let h: PluginHarness;
let view: ReturnType<typeof viewClient>;
let seeded: SeededExperiment;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
  // Four tasks; B is a child of A, and C makes B's own change on the baseline: by their own change alone, B and C look alike.
  seeded = await seedExperiment(h.db, {
    projectId: h.projects.a.id,
    name: 'Results views: sorting & charts',
    description: 'Hypothesis: a cooler classifier helps.',
    taskCount: 4,
    baselineConfig: { classifier: { model: 'gpt-4o-mini', temperature: 0.7 }, response_generator: { model: 'gpt-4o' } },
    baselineRuns: [{ tests: ['P', 'P', 'F', 'F'] }],
    variants: [
      { key: 'A', name: 'Cooler', override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [{ tests: ['P', 'F', 'P', 'P'] }] },
      { key: 'B', name: 'Cooler and bigger', parent: 'A', override: { step: 'response_generator', parameter: 'model', value: 'gpt-4.1' }, runs: [{ tests: ['P', 'P', 'P', 'P'] }] },
      { key: 'C', name: 'Bigger', override: { step: 'response_generator', parameter: 'model', value: 'gpt-4.1' }, runs: [{ tests: ['F', 'F', 'F', 'P'] }] },
    ],
  });
  // The baseline's tests recorded two steps each, as evaluation does from the traces.
  const tests = await h.db.selectFrom('tests').select(['id', 'attempt']).where('run_id', '=', seeded.runIds.baseline![0]!).execute();
  await h.db
    .insertInto('test_steps')
    .values(
      tests.flatMap((test) => [
        { test_row_id: test.id, attempt: test.attempt, step: 'classifier', latency_ms: 40, input_tokens: 10, output_tokens: 2, total_tokens: 12, cost: 0.0001 },
        { test_row_id: test.id, attempt: test.attempt, step: 'response_generator', latency_ms: 200, input_tokens: 40, output_tokens: 18, total_tokens: 58, cost: 0.0009 },
      ]),
    )
    .execute();
});
afterAll(async () => {
  await h?.close();
});

/** A table row's cells, header cells included, in order. */
const cellsOf = (row: HtmlElement) => row.children.filter((child): child is HtmlElement => typeof child !== 'string');
const experimentPath = () => `${mount}/experiments/${seeded.id}`;
const rowOf = (doc: HtmlElement, key: string) => query(doc, `table.xp-results tbody tr[data-variant-id="${seeded.variantIds[key]}"]`);
const rowOrder = (doc: HtmlElement) => {
  const names = Object.fromEntries(Object.entries(seeded.variantIds).map(([key, id]) => [id, key]));
  return queryAll(doc, 'table.xp-results tbody tr[data-variant-id]').map((row) => names[row.attrs['data-variant-id']!]);
};

describe('sharing the results', () => {
  it('links the CSV and Markdown exports from the experiment page, and answers them at the tab’s own address with readable names', async () => {
    const page = await view('GET', experimentPath());
    const csvLink = query(page.doc, 'a[download]');
    expect(csvLink.attrs.href).toBe(`${experimentPath()}/results.csv`);
    expect(textOf(csvLink)).toBe('Download CSV');
    const mdLink = query(page.doc, `a[href="${experimentPath()}/results.md"]`);
    expect(textOf(mdLink)).toBe('Markdown summary');

    const csv = await view('GET', csvLink.attrs.href!);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain(`attachment; filename="results-views-sorting-charts-results-${today()}.csv"`);
    expect(csv.html.split('\r\n')[0]).toMatch(/^variant_id,name,/);
    expect(csv.html).not.toContain('"error"');

    const md = await view('GET', mdLink.attrs.href!);
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(md.headers.get('content-disposition')).toContain(`inline; filename="results-views-sorting-charts-results-${today()}.md"`);
    expect(md.html).toContain('Results views: sorting & charts');

    // Another project's experiment stays hidden at the tab's address too.
    const hidden = await view('GET', csvLink.attrs.href!, { apiKey: h.projects.b.apiKey });
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('names a downloaded configuration after the experiment and the variant', async () => {
    const response = await view('GET', `${experimentPath()}/variants/${seeded.variantIds.B}/config?download=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(`filename="results-views-sorting-charts-cooler-and-bigger-config-${today()}.json"`);
  });
});

describe('the results table', () => {
  it('shows tokens and cost per variant, and each step’s latency, tokens and cost under it', async () => {
    const page = await view('GET', experimentPath());
    const headers = queryAll(page.doc, 'table.xp-results thead th').map(textOf);
    expect(headers.some((header) => header.startsWith('Tokens'))).toBe(true);
    const baseline = rowOf(page.doc, 'baseline');
    // Tokens of the traced tests: inputs 50..53, outputs 20..23 (test/results/results-fixture.ts); cost 0.001 × (task + 1).
    const tokens = query(baseline, 'td[data-tokens]');
    expect(tokens.attrs['data-tokens']).toBe('292');
    expect(textOf(query(tokens, '.xp-muted'))).toBe('206 in / 86 out');
    expect(textOf(query(baseline, 'td[data-cost]'))).toBe('$0.0100');
    // Per step, in a table of its own under the results: the results table keeps one row per variant.
    expect(queryAll(page.doc, 'table.xp-results tr[data-variant-id]')).toHaveLength(4);
    const steps = query(page.doc, 'section.xp-steps table.xp-step-table');
    expect(queryAll(steps, 'tbody').map((group) => group.attrs['data-variant-id'])).toEqual([seeded.variantIds.baseline]);
    const stepRows = queryAll(steps, 'tbody tr').map((row) => cellsOf(row).filter((cell) => cell.attrs.scope !== 'rowgroup').map(textOf));
    expect(stepRows).toEqual([
      ['classifier', '4', '40 ms / 40 ms', '40 / 8', '$0.0004'],
      ['response_generator', '4', '200 ms / 200 ms', '160 / 72', '$0.0036'],
    ]);
    expect(textOf(query(steps, 'th[scope="rowgroup"]'))).toBe('Baseline');
  });

  it('keeps the Tests cell to its counts on two short lines, only the outcomes that happened', async () => {
    const page = await view('GET', experimentPath());
    const cell = query(rowOf(page.doc, 'baseline'), 'td.xp-tests-cell');
    expect(queryAll(cell, 'br')).toHaveLength(1);
    const lines = (row: HtmlElement) => [textOf(query(row, 'td.xp-tests-cell span.xp-nowrap')), textOf(query(row, 'td.xp-tests-cell .xp-outcomes'))];
    expect(lines(rowOf(page.doc, 'baseline'))).toEqual(['2/4 passed', '2 failed']);
    expect(lines(rowOf(page.doc, 'B'))).toEqual(['4/4 passed', 'none failed']);
  });

  it('shows a child variant’s whole difference from the baseline, so B and C do not read alike', async () => {
    const page = await view('GET', experimentPath());
    const changes = (key: string) => queryAll(rowOf(page.doc, key), 'ul.xp-changes code.xp-change').map(textOf);
    expect(changes('A')).toEqual(['classifier.temperature: 0.7 → 0.2']);
    expect(changes('B')).toEqual(['classifier.temperature: 0.7 → 0.2', 'response_generator.model: "gpt-4o" → "gpt-4.1"']);
    expect(changes('C')).toEqual(['response_generator.model: "gpt-4o" → "gpt-4.1"']);
    const results = (await h.request('GET', `/experiments/${seeded.id}/results`)).body as { variants: Array<{ variantId: string; changes: unknown[] }> };
    expect(results.variants.find((variant) => variant.variantId === seeded.variantIds.B)!.changes).toHaveLength(2);
  });

  it('sorts by a column from its header link, marks the column with aria-sort, and keeps the order in live refreshes', async () => {
    const unsorted = await view('GET', experimentPath());
    expect(rowOrder(unsorted.doc)).toEqual(['baseline', 'A', 'B', 'C']);
    const link = query(unsorted.doc, 'table.xp-results thead a[data-sort-key="passRate"]');
    // Higher is better: the first click sorts the best first.
    expect(link.attrs.href).toBe(`${experimentPath()}?sort=-passRate#results-table`);

    const sorted = await view('GET', link.attrs.href!.replace(/#.*/, ''));
    expect(rowOrder(sorted.doc)).toEqual(['B', 'A', 'baseline', 'C']);
    const header = query(sorted.doc, 'table.xp-results thead th[aria-sort]');
    expect(header.attrs['aria-sort']).toBe('descending');
    expect(query(header, 'a').attrs.href).toBe(`${experimentPath()}?sort=passRate#results-table`);
    expect(rowOrder((await view('GET', `${experimentPath()}?sort=passRate`)).doc)).toEqual(['C', 'baseline', 'A', 'B']);
    expect(rowOrder((await view('GET', `${experimentPath()}?sort=name`)).doc)).toEqual(['baseline', 'C', 'A', 'B']);

    // The live section, fetched by htmx, keeps the page's order.
    const live = await view('GET', `${experimentPath()}/live`, { htmx: true, headers: { 'hx-current-url': `http://host.test${experimentPath()}?sort=-passRate` } });
    expect(rowOrder(live.doc)).toEqual(['B', 'A', 'baseline', 'C']);
    // An unknown column is the tree's order, not an error.
    const unknown = await view('GET', `${experimentPath()}?sort=-nonsense`);
    expect(unknown.status).toBe(200);
    expect(rowOrder(unknown.doc)).toEqual(['baseline', 'A', 'B', 'C']);
  });

  it('labels the hypothesis once, even when it was written starting with “Hypothesis:”', async () => {
    const page = await view('GET', experimentPath());
    expect(textOf(query(page.doc, '.xp-hypothesis'))).toBe('Hypothesis: a cooler classifier helps.');
  });
});

describe('the results charts', () => {
  it('draws every pass rate with its interval as an SVG with a title, a description and a caption', async () => {
    const page = await view('GET', experimentPath());
    const figure = query(page.doc, 'figure[data-chart="pass-rates"]');
    const svg = query(figure, 'svg');
    expect(svg.attrs.role).toBe('img');
    const [titleId, descId] = svg.attrs['aria-labelledby']!.split(' ');
    expect(textOf(query(svg, `title#${titleId}`))).toBe('Pass rate of each variant with its 95% interval');
    const description = textOf(query(svg, `desc#${descId}`));
    for (const [name, rate] of [['Baseline', '50.0%'], ['Cooler', '75.0%'], ['Cooler and bigger', '100.0%'], ['Bigger', '25.0%']] as const)
      expect(description).toMatch(new RegExp(`${name}: ${rate.replace('.', '\\.')} \\(95% interval \\d+\\.\\d% to \\d+\\.\\d%\\)`));
    const rows = queryAll(svg, 'g.xp-chart-row');
    expect(rows.map((row) => row.attrs['data-variant-id'])).toEqual(['baseline', 'A', 'B', 'C'].map((key) => seeded.variantIds[key]));
    // Each bar's length is its pass rate on the same scale: C's is a quarter of B's.
    const width = (key: string) => Number(query(rows[['baseline', 'A', 'B', 'C'].indexOf(key)]!, 'rect').attrs.width);
    expect(width('C') / width('B')).toBeCloseTo(0.25, 2);
    expect(queryAll(rows[0]!, 'g.xp-chart-interval line')).toHaveLength(3);
    expect(textOf(query(figure, 'figcaption'))).toContain('dashed line is the baseline');
  });

  it('plots pass rate against cost per test and against latency, one point per variant', async () => {
    const page = await view('GET', experimentPath());
    const costChart = query(page.doc, 'figure[data-chart="rate-vs-cost"] svg');
    expect(costChart.attrs.role).toBe('img');
    expect(queryAll(costChart, 'g.xp-chart-point')).toHaveLength(4);
    // $0.0100 over four finished tests.
    expect(textOf(query(costChart, 'desc'))).toContain('Baseline: 50.0%');
    expect(textOf(query(costChart, 'desc'))).toContain('at $0.0025');
    const latencyChart = query(page.doc, 'figure[data-chart="rate-vs-latency"] svg');
    expect(queryAll(latencyChart, 'g.xp-chart-point')).toHaveLength(4);
    // Higher pass rate is higher on the chart (smaller y).
    const y = (key: string) => Number(query(query(costChart, `g[data-variant-id="${seeded.variantIds[key]}"]`), 'circle').attrs.cy);
    expect(y('B')).toBeLessThan(y('A'));
    expect(y('A')).toBeLessThan(y('baseline'));
  });
});

describe('comparing variants', () => {
  const comparePath = (ids: string[], extra = '') => `${experimentPath()}/compare?${ids.map((id) => `v=${id}`).join('&')}${extra}`;

  it('offers every variant that ran as a tick on the experiment page', async () => {
    const page = await view('GET', experimentPath());
    const boxes = queryAll(page.doc, `form[action="${experimentPath()}/compare"] input[type="checkbox"][name="v"]`);
    expect(boxes.map((box) => box.attrs.value)).toEqual(['baseline', 'A', 'B', 'C'].map((key) => seeded.variantIds[key]));
    expect(boxes.filter((box) => 'checked' in box.attrs)).toHaveLength(2);
    for (const box of boxes) expect(query(page.doc, `label[for="${box.attrs.id}"]`)).toBeTruthy();
  });

  it('compares three variants: figures, a matrix of per-task outcomes, evaluator totals and per-step cost', async () => {
    const ids = ['baseline', 'A', 'B'].map((key) => seeded.variantIds[key]!);
    const page = await view('GET', comparePath(ids));
    expect(page.status).toBe(200);
    expect(queryAll(page.doc, 'table.xp-compare thead th').map(textOf)).toEqual(['A: Baseline', 'B: Cooler', 'C: Cooler and bigger']);
    expect(queryAll(page.doc, 'input[name="v"][checked]').map((box) => box.attrs.value)).toEqual(ids);
    // Tasks 2–4 differ (P/F/P, F/P/P, F/P/P); task 1 passed everywhere.
    const matrix = query(page.doc, 'table.xp-matrix');
    expect(queryAll(matrix, 'tbody tr').map((row) => [textOf(query(row, 'th')), ...queryAll(row, 'td').slice(0, 3).map(textOf)])).toEqual([
      ['Task 2', 'Passed', 'Not passed', 'Passed'],
      ['Task 3', 'Not passed', 'Passed', 'Passed'],
      ['Task 4', 'Not passed', 'Passed', 'Passed'],
    ]);
    expect(queryAll(page.doc, '#matrix nav a').map(textOf)).toEqual(['Where they differ (3)', 'All tasks (4)']);
    const all = await view('GET', comparePath(ids, '&tasks=all'));
    expect(queryAll(all.doc, 'table.xp-matrix tbody tr')).toHaveLength(4);

    const evaluators = queryAll(page.doc, 'table.xp-evaluator-totals tbody tr').map((row) => cellsOf(row).map(textOf));
    expect(evaluators).toEqual([
      ['contains', '2 passed · 2 failed', '3 passed · 1 failed', '4 passed · 0 failed'],
      ['regex', '4 passed · 0 failed', '4 passed · 0 failed', '4 passed · 0 failed'],
    ]);
    const steps = queryAll(page.doc, 'table.xp-compare-steps tbody tr').map((row) => queryAll(row, 'td').map((cell) => cell.attrs['data-cost']));
    expect(steps).toEqual([
      ['0.0004', '', ''],
      ['0.0036', '', ''],
    ]);
    // C against A as well as B against A.
    expect(textOf(page.doc)).toMatch(/C is \+50\.0 pts against A over the 4 tasks both finished/);
  });

  it('sets a chosen task’s outputs side by side, with each test’s status and evaluator verdicts', async () => {
    const ids = ['baseline', 'A', 'B'].map((key) => seeded.variantIds[key]!);
    const page = await view('GET', comparePath(ids));
    const link = query(query(page.doc, 'table.xp-matrix tbody tr[data-task-id="task-0002"]'), 'a');
    const opened = await view('GET', link.attrs.href!.replace(/#.*/, ''));
    expect(textOf(query(opened.doc, '#outputs-heading'))).toBe('Outputs for Task 2');
    const columns = queryAll(opened.doc, '#outputs section.xp-output');
    expect(columns.map((column) => column.attrs['data-variant-id'])).toEqual(ids);
    expect(columns.map((column) => textOf(query(column, '.xp-badge')))).toEqual(['Passed', 'Failed', 'Passed']);
    expect(columns.map((column) => textOf(query(column, 'pre')))).toEqual(['answer 1 1 0', 'answer 1 1 0', 'answer 1 1 0']);
    expect(queryAll(columns[1]!, '.xp-evaluation-list li').map(textOf)).toEqual(['contains Failed contains failed', 'regex Passed regex passed']);
  });

  it('refuses to compare a variant with itself, an unknown variant or a single one, with 422 and the reason', async () => {
    const a = seeded.variantIds.A!;
    for (const [path, reason] of [
      [comparePath([a, a]), 'A variant cannot be compared with itself: “Cooler” is chosen twice.'],
      [`${experimentPath()}/compare?a=${a}&b=${a}`, 'A variant cannot be compared with itself: “Cooler” is chosen twice.'],
      [comparePath([a, '00000000-0000-4000-8000-000000000000']), 'There is no variant 00000000-0000-4000-8000-000000000000 with a run in this experiment.'],
      [comparePath([a]), 'Choose at least two variants to compare.'],
      [comparePath([a, encodeURIComponent(`<script>alert(1)</script>${'x'.repeat(500)}`)]), `There is no variant <script>alert(1)</script>${'x'.repeat(14)}… with a run`],
    ] as const) {
      const page = await view('GET', path);
      expect(page.status, path).toBe(422);
      expect(textOf(query(page.doc, '#compare-choice-error'))).toContain(reason);
      expect(queryAll(page.doc, 'table.xp-compare')).toHaveLength(0);
      expect(page.html).not.toContain('<script>alert(1)');
      // The form is still there to choose again, with the known variants asked for still ticked.
      expect(queryAll(page.doc, 'input[name="v"]')).toHaveLength(4);
      expect(queryAll(page.doc, 'input[name="v"][checked]').map((box) => box.attrs.value)).toEqual([a]);
    }
  });
});
