import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectableDifference } from '../../plugin/domain/detectable-difference.js';
import { jsonb } from '../../plugin/store/jsonb.js';
import { pluginApiPath, startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { parseCsv, seedExperiment, type SeededExperiment } from './results-fixture.js';

// Reference figures were computed outside this code base with Python 3 (numpy 2.4, scipy 1.17, statsmodels 0.15):
//   Wilson interval   statsmodels.stats.proportion.proportion_confint(passed, total, method='wilson')
//   McNemar p         scipy.stats.binomtest(b, b + c, 0.5).pvalue
//   Holm              statsmodels.stats.multitest.multipletests(ps, method='holm')[1]
//   percentiles       numpy.percentile(latencies, [50, 95])          (linear, as percentile_cont)
//   with repeats      brute force in Python: the stratified permutation distribution enumerated task by task
//                     (scipy.stats.hypergeom per task), and Korn–Graubard's effective sample size for the interval
// The smallest detectable difference is the domain function's (tested against its own references in
// plugin/domain/detectable-difference.test.ts); here the wiring is checked: baseline rate, tasks and the Holm family.
// Counts (passed, regressions, improvements, token sums) are recomputed below from the outcome strings themselves.

let h: PluginHarness;

beforeAll(async () => {
  h = await startPluginHarness({ tasksPerProject: 1 });
});
afterAll(async () => {
  await h?.close();
});

const near = (value: number, digits = 9) => expect.closeTo(value, digits);
const count = (outcomes: string, code: string) => [...outcomes].filter((c) => c === code).length;
const tasksOf = (outcomes: string) => [...outcomes];

/** Regressions and improvements of single-repeat runs, straight from the outcome strings. */
function discordant(baseline: string, variant: string) {
  let regressions = 0;
  let improvements = 0;
  for (let i = 0; i < baseline.length; i++) {
    if (baseline[i] === 'P' && variant[i] !== 'P') regressions++;
    if (baseline[i] !== 'P' && variant[i] === 'P') improvements++;
  }
  return { regressions, improvements };
}

async function raw(path: string, apiKey = h.projects.a.apiKey) {
  const response = await h.host.app.request(`${pluginApiPath}${path}`, { headers: { 'x-api-key': apiKey } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

// Experiment 1: the example of DESIGN §8, with 40 tasks, one repeat.
const base = 'P'.repeat(28) + 'F'.repeat(10) + 'ET';
const variantA = 'FT' + 'P'.repeat(31) + 'F'.repeat(6) + 'E';
const variantB = 'FFF' + 'P'.repeat(28) + 'F'.repeat(7) + 'ET';
const variantC = 'F'.repeat(10) + 'P'.repeat(18) + 'F'.repeat(10) + 'ET';
const runningE = 'P'.repeat(20) + '.'.repeat(20);
const trickyName = 'Tone, "warm"\nand short';
const formulaName = '=HYPERLINK("http://example.test")';

describe('results of an experiment with three compared variants, one never run and one running', () => {
  let seeded: SeededExperiment;
  let results: any;
  const entry = (key: string) => results.variants.find((v: any) => v.variantId === seeded.variantIds[key]);

  beforeAll(async () => {
    seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Cooler classifier | shorter replies',
      description: 'A cooler classifier picks the right category more often.\nShorter replies keep the refund wording.',
      taskCount: 40,
      baselineConfig: { classifier: { model: 'gpt-4o-mini', temperature: 0.7 } },
      baselineRuns: [{ tests: tasksOf(base) }],
      variants: [
        {
          key: 'A',
          name: 'Cooler',
          override: { step: 'classifier', parameter: 'temperature', value: 0.2 },
          runs: [{ tests: tasksOf(variantA) }],
        },
        {
          key: 'B',
          name: 'Cooler and bigger',
          parent: 'A',
          override: { step: 'classifier', parameter: 'model', value: 'gpt-4o' },
          runs: [{ tests: tasksOf(variantB) }],
        },
        {
          key: 'C',
          name: trickyName,
          override: { step: 'classifier', parameter: 'temperature', value: 1.5 },
          runs: [{ tests: tasksOf(variantC) }],
        },
        { key: 'D', name: formulaName, override: { step: 'classifier', parameter: 'temperature', value: 0 } },
        {
          key: 'E',
          name: 'Still running',
          override: { step: 'classifier', parameter: 'temperature', value: 1 },
          runs: [{ tests: tasksOf(runningE), status: 'running' }],
        },
      ],
    });
    // Two baseline tests whose task had no evaluations, three tests of A whose trace showed another temperature.
    const [baselineRun] = seeded.runIds.baseline!;
    await h.db
      .updateTable('tests')
      .set({ no_evaluations: true })
      .where('run_id', '=', baselineRun!)
      .where('position', 'in', [30, 31])
      .execute();
    await h.db
      .updateTable('tests')
      .set({ override_mismatches: jsonb([{ step: 'classifier', parameter: 'temperature', expected: 0.2, actual: 0.7 }]) })
      .where('run_id', '=', seeded.runIds.A![0]!)
      .where('position', 'in', [3, 4, 5])
      .execute();
    const response = await h.request('GET', `/experiments/${seeded.id}/results`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    results = response.body;
  });

  it('names the experiment, the baseline and the smallest detectable difference', () => {
    expect(results).toMatchObject({
      experimentId: seeded.id,
      baselineVariantId: seeded.variantIds.baseline,
      baselineRunId: seeded.runIds.baseline![0],
      // The baseline's 28/40, its 40 tasks, and the 5 variants that share the Holm correction.
      detectableDifference: { ...detectableDifference({ tasks: 40, passRate: 0.7, variants: 5 }), tasks: 40, variants: 5 },
    });
    expect(results.detectableDifference.improvement).toBeGreaterThan(0.2);
    expect(results.variants.map((v: any) => v.variantId)).toEqual(['baseline', 'A', 'B', 'C', 'D', 'E'].map((k) => seeded.variantIds[k]));
  });

  it('gives the baseline its counts, interval, latency and usage, and no comparison', () => {
    expect(entry('baseline')).toEqual({
      variantId: seeded.variantIds.baseline,
      name: 'Baseline',
      parentId: null,
      isBaseline: true,
      change: null,
      changes: [],
      runId: seeded.runIds.baseline![0],
      runNumber: 1,
      status: 'completed',
      partial: false,
      completedAt: '2026-11-20T09:00:30.000Z',
      total: 40,
      passed: count(base, 'P'),
      failed: count(base, 'F'),
      errored: 1,
      timedOut: 1,
      pending: 0,
      notRun: 0,
      noEvaluations: 2,
      overrideNotApplied: 0,
      passRate: 0.7,
      interval: { low: near(0.5456998118185505, 7), high: near(0.8192515477025348, 7) },
      tasks: { finished: 40, effectiveTests: 40 },
      vsBaseline: null,
      flakiness: { k: 1, passHatK: near(0.7), flakyShare: null, flakyTasks: 0 },
      // numpy.percentile over the 38 traced tests' latencies.
      latency: { p50: 550, p95: near(996) },
      tokens: { input: 2603, output: 868, total: 3471 },
      cost: near(0.741),
      // The fixture writes no step rows.
      costUnknown: 0,
      costNotes: [],
      stopped: null,
      steps: [],
      repeats: 1,
      taskRule: 'all',
      earlierRuns: [],
    });
  });

  it('reproduces the DESIGN §8 example for variant A, Holm-adjusted across A, B and C', () => {
    const a = entry('A');
    expect(discordant(base, variantA)).toEqual({ regressions: 2, improvements: 5 });
    expect(a).toMatchObject({
      name: 'Cooler',
      parentId: seeded.variantIds.baseline,
      change: { step: 'classifier', parameter: 'temperature', from: 0.7, to: 0.2 },
      status: 'completed',
      total: 40,
      passed: 31,
      failed: 7,
      errored: 1,
      timedOut: 1,
      overrideNotApplied: 3,
      noEvaluations: 0,
      passRate: 0.775,
      interval: { low: near(0.6249690325768998, 7), high: near(0.8768390867645927, 7) },
      vsBaseline: {
        relative: near(0.075 / 0.7),
        points: 7.5,
        regressions: 2,
        improvements: 5,
        // binomtest(2, 7) = 0.453125; Holm over [0.453125, 1.0, 0.001953125] → [0.90625, 1.0, 0.005859375].
        pValue: near(0.453125),
        pAdjusted: near(0.90625),
        verdict: 'no_difference',
        pairedTasks: 40,
        method: 'exact_mcnemar',
        baselineRate: 0.7,
        variantRate: 0.775,
      },
      latency: { p50: 575, p95: near(996) },
      tokens: { input: 2640, output: 870, total: 3510 },
      cost: near(0.778),
    });
    // Newcombe's interval for the paired difference (method 10): the headline lies inside it.
    expect(a.vsBaseline.interval.low).toBeLessThan(0.075);
    expect(a.vsBaseline.interval.high).toBeGreaterThan(0.075);
  });

  it('describes a child variant by its change against its parent, and marks a significant regression worse', () => {
    expect(discordant(base, variantB)).toEqual({ regressions: 3, improvements: 3 });
    expect(entry('B')).toMatchObject({
      parentId: seeded.variantIds.A,
      change: { step: 'classifier', parameter: 'model', from: 'gpt-4o-mini', to: 'gpt-4o' },
      // Its whole difference from the baseline, its parent A's change included (issue 18).
      changes: [
        { step: 'classifier', parameter: 'model', from: 'gpt-4o-mini', to: 'gpt-4o' },
        { step: 'classifier', parameter: 'temperature', from: 0.7, to: 0.2 },
      ],
      passed: 28,
      vsBaseline: {
        relative: 0,
        points: 0,
        regressions: 3,
        improvements: 3,
        pValue: near(1),
        pAdjusted: near(1),
        verdict: 'no_difference',
      },
    });
    expect(discordant(base, variantC)).toEqual({ regressions: 10, improvements: 0 });
    expect(entry('C')).toMatchObject({
      passed: 18,
      interval: { low: near(0.30705307810904925, 7), high: near(0.6017090820106795, 7) },
      vsBaseline: {
        relative: near(-10 / 28),
        points: -25,
        regressions: 10,
        improvements: 0,
        pValue: near(0.001953125),
        pAdjusted: near(0.005859375),
        verdict: 'worse',
      },
    });
  });

  it('lists a variant never run with nulls and zeros, and a running one without a comparison', () => {
    expect(entry('D')).toMatchObject({
      runId: null,
      runNumber: null,
      status: null,
      completedAt: null,
      total: 0,
      passed: 0,
      failed: 0,
      errored: 0,
      timedOut: 0,
      passRate: null,
      interval: null,
      vsBaseline: null,
      latency: { p50: null, p95: null },
      tokens: { input: null, output: null, total: null },
      cost: null,
      repeats: null,
      taskRule: null,
      tasks: null,
      flakiness: null,
      earlierRuns: [],
    });
    // Pending tests count nowhere: 20 passed of the 20 finished is 100%, labelled partial, not 50%.
    expect(entry('E')).toMatchObject({
      runId: seeded.runIds.E![0],
      status: 'running',
      partial: true,
      completedAt: null,
      total: 40,
      passed: 20,
      pending: 20,
      passRate: 1,
      // statsmodels proportion_confint(20, 20, method='wilson')
      interval: { low: near(0.8388748419471806, 7), high: 1 },
      tasks: { finished: 20, effectiveTests: 20 },
      vsBaseline: null,
    });
  });

  it('exports one CSV row per variant that parses back to the same figures', async () => {
    const response = await raw(`/experiments/${seeded.id}/results.csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    // Named after the experiment and the day, not its id (issue 18).
    const day = new Date().toISOString().slice(0, 10);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="cooler-classifier-shorter-replies-results-${day}.csv"; filename*=UTF-8''cooler-classifier-shorter-replies-results-${day}.csv`,
    );
    const [header, ...rows] = parseCsv(response.text);
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.length === header!.length)).toBe(true);
    const records = rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
    const byId = (key: string) => records.find((r) => r.variant_id === seeded.variantIds[key])!;

    expect(byId('C').name).toBe(trickyName);
    // A cell that would start a spreadsheet formula is defused.
    expect(byId('D').name).toBe(`'${formulaName}`);
    expect(byId('A')).toMatchObject({
      name: 'Cooler',
      change: 'classifier.temperature: 0.7 → 0.2',
      status: 'completed',
      total: '40',
      passed: '31',
      failed: '7',
      errored: '1',
      timed_out: '1',
      regressions: '2',
      improvements: '5',
      verdict: 'no_difference',
      points: '7.5',
      pass_rate: '0.775',
      task_rule: 'all',
    });
    for (const key of ['A', 'B', 'C']) {
      const json = entry(key);
      const csv = byId(key);
      expect(Number(csv.p_value)).toBe(json.vsBaseline.pValue);
      expect(Number(csv.p_adjusted)).toBe(json.vsBaseline.pAdjusted);
      expect(Number(csv.interval_low)).toBe(json.interval.low);
      expect(Number(csv.latency_p95_ms)).toBe(json.latency.p95);
      expect(Number(csv.cost)).toBe(json.cost);
    }
    // A child's row carries its whole difference from the baseline, so it never reads like a variant with the same own change.
    expect(byId('B')).toMatchObject({ change: 'classifier.model: "gpt-4o-mini" → "gpt-4o"', changes: 'classifier.model: "gpt-4o-mini" → "gpt-4o"; classifier.temperature: 0.7 → 0.2' });
    expect(byId('A').changes).toBe('classifier.temperature: 0.7 → 0.2');
    expect(byId('baseline').changes).toBe('');
    expect(byId('D')).toMatchObject({ run_id: '', status: '', total: '0', pass_rate: '', verdict: '' });
    expect(byId('baseline')).toMatchObject({ is_baseline: 'true', verdict: '', completed_at: '2026-11-20T09:00:30.000Z' });
  });

  it('writes a Markdown summary with the hypothesis, the baseline config, every variant and its verdict', async () => {
    const response = await raw(`/experiments/${seeded.id}/results.md`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/markdown/);
    const md = response.text;
    expect(md).toContain('# Experiment: Cooler classifier \\| shorter replies');
    expect(md).toContain('> A cooler classifier picks the right category more often.\n> Shorter replies keep the refund wording.');
    expect(md).toContain('"temperature": 0.7');
    // The results table: the first table of the summary (tokens and cost follow in their own).
    const table = md.slice(md.indexOf('## Results'), md.indexOf('## Tokens and cost')).split('\n').filter((line) => line.startsWith('| '));
    expect(table).toHaveLength(2 + 6);
    const rowOf = (name: string) => table.find((line) => line.startsWith(`| ${name} |`))!;
    expect(rowOf('Cooler')).toContain('77.5% (62.5%–87.7%), 31/40');
    expect(rowOf('Cooler')).toContain('+7.5 pts (+10.7%)');
    expect(rowOf('Cooler')).toContain('2 / 5');
    expect(rowOf('Cooler')).toContain('0.453 / 0.906');
    expect(rowOf('Cooler')).toContain('no difference');
    // The whole difference from the baseline, A's change included.
    expect(rowOf('Cooler and bigger')).toContain('| classifier.model: "gpt-4o-mini" → "gpt-4o"; classifier.temperature: 0.7 → 0.2 |');
    // The tricky name stays on one table row, its pipe-free text escaped.
    expect(table.find((line) => line.includes('Tone, "warm" and short'))).toContain('**worse**');
    expect(table.find((line) => line.includes('HYPERLINK'))).toContain('not run');
    expect(rowOf('Still running')).toContain('100.0% (83.9%–100.0%), 20/20 tests, 1× per task (all) — partial: run running, 20 pending');
    expect(md).toContain('Holm-adjusted across the 3 compared variants');
    expect(md).toContain(`about ${(results.detectableDifference.improvement * 100).toFixed(1)} points`);
    expect(md).not.toContain('## Winner');
  });
});

// Experiment 2: three repeats, the baseline under `all`, the variant under `majority`.
const repeatedBaseline = ['PPP', 'PPF', 'FFF', 'PPP', 'PFF', 'PEP'];
const repeatedVariant = ['PPF', 'PPF', 'FFP', 'FFP', 'PPP', 'PTP'];
const failedRerun = ['EEE', 'EEE', 'EEE', 'EEE', 'EEE', 'EEE'];

describe('results with repeats', () => {
  let seeded: SeededExperiment;
  let results: any;
  const entry = (key: string) => results.variants.find((v: any) => v.variantId === seeded.variantIds[key]);

  beforeAll(async () => {
    seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Repeats',
      taskCount: 6,
      baselineRuns: [{ tests: repeatedBaseline, taskRule: 'all' }],
      variants: [
        {
          key: 'V',
          name: 'Majority',
          override: { step: 'classifier', parameter: 'temperature', value: 0.1 },
          runs: [
            { tests: repeatedVariant, taskRule: 'majority' },
            { tests: failedRerun, taskRule: 'majority', status: 'failed' },
          ],
        },
      ],
    });
    results = (await h.request('GET', `/experiments/${seeded.id}/results`)).body;
  });

  it('compares runs with different task rules on per-task pass fractions, never by their rules', () => {
    // Baseline fractions 1, 2/3, 0, 1, 1/3, 2/3 (the errored repeat ran and did not pass): mean 11/18.
    expect(entry('baseline')).toMatchObject({
      total: 18,
      passed: 11,
      errored: 1,
      repeats: 3,
      taskRule: 'all',
      passRate: near(11 / 18),
      // Python reference (see the top): Korn–Graubard n_eff = 11.268…, Wilson at it.
      tasks: { finished: 6, effectiveTests: near(11.268292682926827) },
      interval: { low: near(0.33543878780498954, 7), high: near(0.8302863096627167, 7) },
      // pass^3: tasks 0 and 3 pass all three; tasks 1, 4 and 5 disagree across repeats, of 6.
      flakiness: { k: 3, passHatK: near(2 / 6), flakyShare: near(3 / 6), flakyTasks: 3 },
    });
    // Variant under `majority`: fractions 2/3, 2/3, 1/3, 1/3, 1, 2/3 — also 11/18. Its rule changes nothing.
    expect(entry('V')).toMatchObject({
      runId: seeded.runIds.V![0],
      status: 'completed',
      total: 18,
      passed: 11,
      timedOut: 1,
      taskRule: 'majority',
      passRate: near(11 / 18),
      flakiness: { k: 3, passHatK: near(1 / 6), flakyShare: near(5 / 6), flakyTasks: 5 },
      // Tasks 0 and 3 fell, 2 and 4 rose, by the same total: no change, and the exact permutation test says p = 1.
      vsBaseline: {
        regressions: 2,
        improvements: 2,
        pValue: near(1),
        pAdjusted: near(1),
        verdict: 'no_difference',
        points: near(0),
        relative: near(0),
        pairedTasks: 6,
        method: 'exact_permutation',
      },
    });
  });

  it('compares the latest completed run and lists the later failed run beside it', () => {
    expect(entry('V').earlierRuns).toEqual([
      {
        runId: seeded.runIds.V![1],
        number: 2,
        status: 'failed',
        createdAt: '2026-11-20T09:02:00.000Z',
        finishedAt: '2026-11-20T09:02:30.000Z',
        total: 18,
        passed: 0,
        notRun: 0,
        passRate: 0,
      },
    ]);
  });

  it('labels every repeat of a task with the task-level flip by pass fractions, beside the baseline test of the same repeat', async () => {
    const page = await h.request('GET', `/experiments/${seeded.id}/runs/${seeded.runIds.V![0]}/tests?limit=200`);
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(18);
    const flipsByTask = ['regressed', 'unchanged', 'improved', 'regressed', 'improved', 'unchanged'];
    for (const item of page.body.items) {
      const task = Number(item.taskId.slice(5)) - 1;
      expect(item.flip, item.taskId).toBe(flipsByTask[task]);
      expect(item.taskPassFraction).toBeCloseTo(count(repeatedVariant[task]!, 'P') / 3, 12);
      expect(item.baselineTaskPassFraction).toBeCloseTo(count(repeatedBaseline[task]!, 'P') / 3, 12);
      const baselineCode = repeatedBaseline[task]![item.repeat]!;
      expect(item.baseline.status).toBe({ P: 'passed', F: 'failed', E: 'errored' }[baselineCode]);
    }
    const regressed = await h.request('GET', `/experiments/${seeded.id}/runs/${seeded.runIds.V![0]}/tests?flip=regressed`);
    expect(regressed.body.items.map((i: any) => [i.taskId, i.repeat])).toEqual([
      ['task-0001', 0],
      ['task-0001', 1],
      ['task-0001', 2],
      ['task-0004', 0],
      ['task-0004', 1],
      ['task-0004', 2],
    ]);
    // Flaky tasks: the variant's repeats disagree on every task but task 4 (PPP).
    const flaky = await h.request('GET', `/experiments/${seeded.id}/runs/${seeded.runIds.V![0]}/tests?flaky=true&limit=200`);
    expect(new Set(flaky.body.items.map((i: any) => i.taskId))).toEqual(new Set(['task-0001', 'task-0002', 'task-0003', 'task-0004', 'task-0006']));
    // The failed rerun is compared with the baseline too: every task the baseline passed at all fell to 0.
    const rerun = await h.request('GET', `/experiments/${seeded.id}/runs/${seeded.runIds.V![1]}/tests?flip=regressed&limit=200`);
    expect(new Set(rerun.body.items.map((i: any) => i.taskId))).toEqual(new Set(['task-0001', 'task-0002', 'task-0004', 'task-0005', 'task-0006']));
  });

  it('shows the baseline run without baseline or flip, and finds no flips in it', async () => {
    const page = await h.request('GET', `/experiments/${seeded.id}/runs/${seeded.runIds.baseline![0]}/tests`);
    expect(page.body).toMatchObject({ isBaseline: true, baselineRunId: null });
    expect(page.body.items.every((i: any) => i.baseline === null && i.flip === null)).toBe(true);
    const flipped = await h.request('GET', `/experiments/${seeded.id}/runs/${seeded.runIds.baseline![0]}/tests?flip=unchanged`);
    expect(flipped.body.items).toEqual([]);
  });

  it('exports the winner only once one is picked, with the same config as the variant config route', async () => {
    const before = await h.request('GET', `/experiments/${seeded.id}/export`);
    expect(before.status).toBe(409);
    expect(before.body.error.code).toBe('conflict');

    await h.db
      .updateTable('experiments')
      .set({ status: 'completed', completed_at: sql<Date>`now()`, winner_variant_id: seeded.variantIds.V! })
      .where('id', '=', seeded.id)
      .execute();
    const exported = await h.request('GET', `/experiments/${seeded.id}/export`);
    expect(exported.status).toBe(200);
    const config = await h.request('GET', `/experiments/${seeded.id}/variants/${seeded.variantIds.V}/config`);
    expect(exported.body).toEqual({
      experimentId: seeded.id,
      winnerVariantId: seeded.variantIds.V,
      name: 'Majority',
      config: config.body.config,
    });
    expect(exported.body.config).toEqual({ classifier: { model: 'gpt-4o-mini', temperature: 0.1 } });

    const md = await raw(`/experiments/${seeded.id}/results.md`);
    expect(md.text).toContain('## Winner');
    expect(md.text).toContain(
      '**Majority** (classifier.temperature: 0.7 → 0.1): 61.1% (38.6%–79.7%), 11/18 tests, 3× per task (majority), no clear difference from the baseline.',
    );
  });
});

// Experiment 3: 237 tasks with pseudo-random outcomes, for paging and filters.
function outcomes(seed: number, n: number): string {
  let state = seed;
  let text = '';
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const roll = state % 100;
    text += roll < 62 ? 'P' : roll < 90 ? 'F' : roll < 96 ? 'E' : 'T';
  }
  return text;
}

describe('paging and filtering the tests of a run', () => {
  const n = 237;
  const baseline = outcomes(7, n);
  const variant = outcomes(11, n);
  let seeded: SeededExperiment;
  let runId: string;

  beforeAll(async () => {
    seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Paging',
      taskCount: n,
      baselineRuns: [{ tests: tasksOf(baseline) }],
      variants: [{ key: 'V', override: { step: 'classifier', parameter: 'temperature', value: 0.3 }, runs: [{ tests: tasksOf(variant) }] }],
    });
    runId = seeded.runIds.V![0]!;
  });

  async function walk(query: string) {
    const items: any[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const separator = query ? '&' : '';
      const response = await h.request(
        'GET',
        `/experiments/${seeded.id}/runs/${runId}/tests?${query}${cursor ? `${separator}cursor=${cursor}` : ''}`,
      );
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      items.push(...response.body.items);
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor);
    return { items, pages };
  }

  it.each([
    ['limit=50', 5],
    ['limit=7', 34],
    ['limit=200', 2],
    ['', 5],
    ['limit=119', 2],
  ])('walks every test once, in dispatch order (%s)', async (query, pages) => {
    const walked = await walk(query);
    expect(walked.pages).toBe(pages);
    expect(walked.items.map((i) => i.position)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(new Set(walked.items.map((i) => i.testId)).size).toBe(n);
  });

  it('filters flips in SQL, matching the regressions and improvements of the results', async () => {
    const expected = discordant(baseline, variant);
    const results = await h.request('GET', `/experiments/${seeded.id}/results`);
    const v = results.body.variants.find((e: any) => e.variantId === seeded.variantIds.V);
    expect(v.vsBaseline).toMatchObject(expected);

    const regressed = await walk('flip=regressed&limit=13');
    const improved = await walk('flip=improved&limit=13');
    const unchanged = await walk('flip=unchanged&limit=13');
    expect(regressed.items).toHaveLength(expected.regressions);
    expect(improved.items).toHaveLength(expected.improvements);
    expect(regressed.items.length + improved.items.length + unchanged.items.length).toBe(n);
    for (const item of regressed.items) {
      expect(item.flip).toBe('regressed');
      expect(item.baseline.status).toBe('passed');
      expect(item.status).not.toBe('passed');
    }
    for (const item of improved.items) {
      expect(item.baseline.status).not.toBe('passed');
      expect(item.status).toBe('passed');
    }
  });

  it('filters by status, alone and with a flip', async () => {
    for (const [code, status] of [
      ['P', 'passed'],
      ['F', 'failed'],
      ['E', 'errored'],
      ['T', 'timed_out'],
    ] as const) {
      const walked = await walk(`status=${status}&limit=40`);
      expect(walked.items).toHaveLength(count(variant, code));
      expect(walked.items.every((i) => i.status === status)).toBe(true);
    }
    const timedOutRegressions = [...variant].filter((c, i) => c === 'T' && baseline[i] === 'P').length;
    expect((await walk('status=timed_out&flip=regressed')).items).toHaveLength(timedOutRegressions);
    expect((await walk('status=pending')).items).toEqual([]);
  });

  it('gives each row its task, evaluations, usage, trace link and the baseline test', async () => {
    const page = await h.request('GET', `/experiments/${seeded.id}/runs/${runId}/tests?limit=3`);
    const [first] = page.body.items;
    expect(page.body).toMatchObject({
      runId,
      variantId: seeded.variantIds.V,
      isBaseline: false,
      baselineRunId: seeded.runIds.baseline![0],
    });
    expect(first).toMatchObject({
      taskId: 'task-0001',
      taskTitle: 'Task 1',
      repeat: 0,
      attempt: 1,
      position: 0,
      overrideMismatches: null,
    });
    if (first.status === 'passed' || first.status === 'failed') {
      expect(first).toMatchObject({
        latencyMs: 100,
        tokens: { input: 50, output: 20, total: 70 },
        cost: 0.001,
        traceUrl: `/traces/${encodeURIComponent(first.traceId)}`,
        evaluations: [
          { evaluator: 'contains', outcome: first.status, score: first.status === 'passed' ? 1 : 0, reason: `contains ${first.status}` },
          { evaluator: 'regex', outcome: 'passed', score: 1, reason: 'regex passed' },
        ],
      });
    }
    const baselineTest = await h.db
      .selectFrom('tests')
      .select(['test_id', 'status', 'output', 'trace_id'])
      .where('run_id', '=', seeded.runIds.baseline![0]!)
      .where('position', '=', 0)
      .executeTakeFirstOrThrow();
    expect(first.baseline).toEqual({
      testId: baselineTest.test_id,
      status: baselineTest.status,
      output: baselineTest.output,
      traceUrl: baselineTest.trace_id === null ? null : `/traces/${encodeURIComponent(baselineTest.trace_id)}`,
    });
  });

  it("shows only the latest evaluation round of the test's current attempt", async () => {
    const rows = await h.db
      .selectFrom('tests')
      .select(['id', 'position'])
      .where('run_id', '=', runId)
      .where('position', 'in', [200, 201])
      .orderBy('position')
      .execute();
    const [retried, reevaluated] = rows;
    // Test 200 was retried: attempt 2 has its own result, attempt 1's stay stored.
    await h.db.updateTable('tests').set({ attempt: 2, status: 'passed' }).where('id', '=', retried!.id).execute();
    // Test 201 was evaluated again in a second round.
    const extra = (testRowId: string, attempt: number, round: number, reason: string) => ({
      test_row_id: testRowId,
      attempt,
      round,
      position: 0,
      evaluator: 'equals',
      source: 'experiment' as const,
      config: jsonb({ type: 'equals' }),
      score: 1,
      outcome: 'passed' as const,
      reason,
    });
    await h.db
      .insertInto('evaluation_results')
      .values([extra(retried!.id, 2, 1, 'attempt two'), extra(reevaluated!.id, 1, 2, 'round two')])
      .execute();

    const cursor = Buffer.from(JSON.stringify([runId, 199])).toString('base64url');
    const page = await h.request('GET', `/experiments/${seeded.id}/runs/${runId}/tests?limit=2&cursor=${cursor}`);
    expect(page.body.items.map((i: any) => i.position)).toEqual([200, 201]);
    expect(page.body.items[0]).toMatchObject({
      attempt: 2,
      evaluations: [{ evaluator: 'equals', outcome: 'passed', score: 1, reason: 'attempt two' }],
    });
    expect(page.body.items[1].evaluations).toEqual([{ evaluator: 'equals', outcome: 'passed', score: 1, reason: 'round two' }]);
  });
});

describe('refusals', () => {
  let own: SeededExperiment;
  let other: SeededExperiment;

  beforeAll(async () => {
    const spec = {
      taskCount: 3,
      baselineRuns: [{ tests: ['P', 'F', 'P'] }],
      variants: [{ key: 'V', override: { step: 'classifier', parameter: 'temperature', value: 0.3 }, runs: [{ tests: ['P', 'P', 'F'] }] }],
    };
    own = await seedExperiment(h.db, { projectId: h.projects.a.id, name: 'Own', ...spec });
    other = await seedExperiment(h.db, { projectId: h.projects.b.id, name: 'Other', ...spec });
  });

  const routes = (experimentId: string, runId: string) => [
    `/experiments/${experimentId}/results`,
    `/experiments/${experimentId}/results.csv`,
    `/experiments/${experimentId}/results.md`,
    `/experiments/${experimentId}/export`,
    `/experiments/${experimentId}/runs/${runId}/tests`,
  ];

  it("answers 404 for another project's experiment, ids that are not UUIDs and unknown ids", async () => {
    const cases = [
      ...routes(other.id, other.runIds.V![0]!),
      ...routes('not-a-uuid', own.runIds.V![0]!),
      ...routes(randomUUID(), own.runIds.V![0]!),
      `/experiments/${own.id}/runs/not-a-uuid/tests`,
      `/experiments/${own.id}/runs/${randomUUID()}/tests`,
      // A run of another project's experiment, asked for under one's own experiment.
      `/experiments/${own.id}/runs/${other.runIds.V![0]}/tests`,
    ];
    for (const path of cases) {
      const response = await h.request('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.body.error.code, path).toBe('not_found');
    }
    // Project B sees its own experiment.
    expect((await h.request('GET', `/experiments/${other.id}/results`, undefined, h.projects.b.apiKey)).status).toBe(200);
  });

  it('answers 400 in the error shape for bad query parameters', async () => {
    const otherRunCursor = Buffer.from(JSON.stringify([other.runIds.V![0], 0])).toString('base64url');
    const queries = [
      'limit=0',
      'limit=201',
      'limit=abc',
      'limit=-1',
      'limit=1.5',
      'limit=',
      'status=done',
      'flip=sideways',
      'status=passed&status=failed',
      'cursor=garbage',
      'cursor=',
      `cursor=${otherRunCursor}`,
      `cursor=${Buffer.from('[1,2,3]').toString('base64url')}`,
    ];
    for (const query of queries) {
      const response = await h.request('GET', `/experiments/${own.id}/runs/${own.runIds.V![0]}/tests?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error, query).toMatchObject({ code: 'bad_request', message: expect.any(String) });
    }
  });

  it('answers 401 without a key', async () => {
    for (const path of routes(own.id, own.runIds.V![0]!)) {
      expect((await h.request('GET', path, undefined, null)).status, path).toBe(401);
    }
  });
});
