import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairedDifferenceInterval } from '../../plugin/domain/paired-difference-interval.js';
import { pairedConfidenceSequence } from '../../plugin/domain/paired-confidence-sequence.js';
import { pluginApiPath, startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { query, queryAll, textOf } from '../views/html.js';
import { mount, viewClient } from '../views/view-client.js';
import { parseCsv, seedExperiment, type SeededExperiment } from './results-fixture.js';

// Issue 14: the API, the experiment page, Compare, the breakdown, CSV and Markdown must show the same figures, read
// from one pipeline, and the headline change, the verdict and the regression lists must agree in direction — also
// when the variant ran 20 repeats against a baseline's 1 (and the reverse), which used to read "+10.0 pts … 17
// regressed, 1 improved, Worse".

let h: PluginHarness;
let view: ReturnType<typeof viewClient>;

beforeAll(async () => {
  h = await startPluginHarness({ tasksPerProject: 1 });
  view = viewClient(h);
});
afterAll(async () => {
  await h?.close();
});

const tasks = 20;
/** One run's outcomes: per task, `passes` of `repeats` passed (the rest failed). */
const run = (repeats: number, passes: (task: number) => number) =>
  Array.from({ length: tasks }, (_, task) => 'P'.repeat(passes(task)) + 'F'.repeat(repeats - passes(task)));

// Holm (1979), written out here independently of the plugin: step-down, monotone, capped at 1.
function holm(pValues: number[]): number[] {
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

const signed = (value: number) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(1)} pts`;
const pText = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

async function raw(path: string) {
  const response = await h.host.app.request(`${pluginApiPath}${path}`, { headers: { 'x-api-key': h.projects.a.apiKey } });
  return response.text();
}

/** Every task id a flip filter of the tests API lists for a run, over all its pages. */
async function flippedTasks(experimentId: string, runId: string, flip: string): Promise<Set<string>> {
  const found = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await h.request('GET', `/experiments/${experimentId}/runs/${runId}/tests?flip=${flip}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    for (const item of page.body.items) found.add(item.taskId);
    cursor = page.body.nextCursor;
  } while (cursor);
  return found;
}

/** Checks that every output shows the API's figures for each compared variant, and that they agree in direction. */
async function expectAllOutputsAgree(seeded: SeededExperiment, keys: string[]) {
  const results = (await h.request('GET', `/experiments/${seeded.id}/results`)).body;
  const entry = (key: string) => results.variants.find((v: any) => v.variantId === seeded.variantIds[key]);
  const compared = keys.map(entry);
  expect(compared.every((v) => v.vsBaseline !== null)).toBe(true);

  // Holm across the compared variants, recomputed here from the unadjusted p-values.
  const adjusted = holm(compared.map((v) => v.vsBaseline.pValue));
  compared.forEach((v, i) => expect(v.vsBaseline.pAdjusted).toBeCloseTo(adjusted[i]!, 12));

  const [header, ...rows] = parseCsv(await raw(`/experiments/${seeded.id}/results.csv`));
  const csv = (variantId: string) => Object.fromEntries(header!.map((name, i) => [name, rows.find((row) => row[0] === variantId)![i]!]));
  const markdown = await raw(`/experiments/${seeded.id}/results.md`);
  const page = await view('GET', `${mount}/experiments/${seeded.id}`);

  for (const v of compared) {
    const c = v.vsBaseline;
    // Direction: the headline, the points lost and gained on the listed tasks, and the verdict point the same way.
    expect(c.pointsGained - c.pointsLost).toBeCloseTo(c.points, 9);
    expect((c.variantRate - c.baselineRate) * 100).toBeCloseTo(c.points, 9);
    if (c.verdict === 'better') expect(c.points).toBeGreaterThan(0);
    if (c.verdict === 'worse') expect(c.points).toBeLessThan(0);
    expect(c.interval.low).toBeLessThanOrEqual(c.points / 100);
    expect(c.interval.high).toBeGreaterThanOrEqual(c.points / 100);

    // CSV: the same numbers, to the last digit.
    const row = csv(v.variantId);
    expect(Number(row.points)).toBe(c.points);
    expect(Number(row.p_value)).toBe(c.pValue);
    expect(Number(row.p_adjusted)).toBe(c.pAdjusted);
    expect(Number(row.regressions)).toBe(c.regressions);
    expect(Number(row.improvements)).toBe(c.improvements);
    expect(row.verdict).toBe(c.verdict);
    expect(Number(row.pass_rate)).toBe(v.passRate);

    // Markdown: the same figures, rounded for reading.
    const line = markdown.split('\n').find((text) => text.startsWith(`| ${v.name} |`))!;
    expect(line).toContain(signed(c.points).replace(' pts', ''));
    expect(line).toContain(`${c.regressions} / ${c.improvements}`);
    expect(line).toContain(`${pText(c.pValue)} / ${pText(c.pAdjusted)}`);

    // The experiment page's results row.
    const tableRow = query(page.doc, `table.xp-results tr[data-variant-id="${v.variantId}"]`);
    const text = textOf(tableRow);
    expect(text).toContain(signed(c.points));
    expect(text).toContain(`${c.regressions} tasks regressed, ${c.improvements} improved, of ${c.pairedTasks}`);
    expect(text).toContain(`p (Holm) ${pText(c.pAdjusted)}`);
    expect(text).toContain((v.passRate * 100).toFixed(1));

    // Compare, baseline as A: the results' own comparison, Holm-adjusted p included, and its task lists.
    const comparePage = await view('GET', `${mount}/experiments/${seeded.id}/compare?a=${seeded.variantIds.baseline}&b=${v.variantId}`);
    const compareText = textOf(comparePage.doc);
    expect(compareText).toContain(`B is ${signed(c.points)} against A`);
    expect(compareText).toContain(`${c.regressions} tasks passed less often with B than with A, and ${c.improvements} more often`);
    expect(compareText).toContain(`p (Holm) ${c.pAdjusted < 0.001 ? '< 0.001' : `= ${c.pAdjusted.toFixed(3)}`}`);
    expect(queryAll(query(comparePage.doc, 'section[aria-labelledby="flips-regressed"]'), 'tbody tr')).toHaveLength(Math.min(50, c.regressions));
    expect(queryAll(query(comparePage.doc, 'section[aria-labelledby="flips-improved"]'), 'tbody tr')).toHaveLength(Math.min(50, c.improvements));

    // The breakdown's filters list exactly the regressed and improved tasks.
    expect((await flippedTasks(seeded.id, v.runId, 'regressed')).size).toBe(c.regressions);
    expect((await flippedTasks(seeded.id, v.runId, 'improved')).size).toBe(c.improvements);
  }
  return { results, entry };
}

describe('one results pipeline', () => {
  it('20 repeats against 1: a better variant shows its gain, its improved tasks and, if any verdict, better — everywhere alike', async () => {
    // Baseline once per task: 14 pass, 6 fail. The 20-repeat variant passes 18/20 on the first 14 (each a 0.1 fall),
    // 20/20 on the other 6 (each a full rise): +23 points. By a task rule of `all` it would have "regressed" 14 tasks.
    const seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Twenty repeats against one',
      taskCount: tasks,
      baselineRuns: [{ tests: run(1, (task) => (task < 14 ? 1 : 0)) }],
      variants: [
        { key: 'R', name: 'Twenty repeats', override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [{ tests: run(20, (task) => (task < 14 ? 18 : 20)) }] },
        { key: 'W', name: 'Worse once', override: { step: 'classifier', parameter: 'temperature', value: 1.4 }, runs: [{ tests: run(1, (task) => (task < 4 ? 1 : 0)) }] },
      ],
    });
    const { entry } = await expectAllOutputsAgree(seeded, ['R', 'W']);
    expect(entry('R').vsBaseline).toMatchObject({ points: expect.closeTo(23, 9), regressions: 14, improvements: 6, method: 'exact_permutation' });
    expect(entry('R').vsBaseline.verdict).not.toBe('worse');
    expect(entry('W').vsBaseline).toMatchObject({ points: expect.closeTo(-50, 9), regressions: 10, improvements: 0, method: 'exact_mcnemar', verdict: 'worse' });
    // Each run's repeats and rule are shown; pass^20 of the variant is the share of tasks that passed all 20.
    expect(entry('R')).toMatchObject({ repeats: 20, taskRule: 'all', flakiness: { k: 20, passHatK: expect.closeTo(6 / 20, 12), flakyShare: expect.closeTo(14 / 20, 12) } });
  });

  it('1 repeat against a 20-repeat baseline: the reverse case agrees in direction on Compare as everywhere', async () => {
    const seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'One repeat against twenty',
      taskCount: tasks,
      baselineRuns: [{ tests: run(20, (task) => (task < 14 ? 18 : 20)) }],
      variants: [{ key: 'O', name: 'Once', override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [{ tests: run(1, (task) => (task < 14 ? 1 : 0)) }] }],
    });
    const { entry } = await expectAllOutputsAgree(seeded, ['O']);
    expect(entry('O').vsBaseline).toMatchObject({ points: expect.closeTo(-23, 9), regressions: 6, improvements: 14 });
    expect(entry('O').vsBaseline.verdict).not.toBe('better');
    // Compare with the variant as A: the same comparison seen the other way, the same Holm-adjusted p-value.
    const reverse = textOf((await view('GET', `${mount}/experiments/${seeded.id}/compare?a=${seeded.variantIds.O}&b=${seeded.variantIds.baseline}`)).doc);
    expect(reverse).toContain(`B is ${signed(23)} against A`);
    expect(reverse).toContain('14 tasks passed less often with B than with A, and 6 more often');
  });
});

describe('a run that could stop once decided', () => {
  it('shows the anytime-valid interval of the difference, labelled so, and a run of fixed size keeps the fixed one', async () => {
    // 40 tasks, once each, sent in task order: the baseline passes all but every fourth; both variants also fail the
    // tasks at 1, 2 and 5 of every 8, 15 regressions spread over the run (−37.5 points). One ran with "stop when
    // decided", the other did not.
    const taskCount = 40;
    const baselinePasses = (task: number) => task % 4 !== 3;
    const regressed = (task: number) => [1, 2, 5].includes(task % 8);
    const once = (passes: (task: number) => boolean) => Array.from({ length: taskCount }, (_, task) => (passes(task) ? 'P' : 'F'));
    const seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Anytime-valid interval',
      taskCount,
      baselineRuns: [{ tests: once(baselinePasses) }],
      variants: [
        { key: 'S', name: 'Could stop', override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [{ tests: once((task) => baselinePasses(task) && !regressed(task)), stopWhenDecided: true }] },
        { key: 'F', name: 'Fixed size', override: { step: 'classifier', parameter: 'temperature', value: 0.3 }, runs: [{ tests: once((task) => baselinePasses(task) && !regressed(task)) }] },
      ],
    });
    const { entry } = await expectAllOutputsAgree(seeded, ['S', 'F']);
    const differences = Array.from({ length: taskCount }, (_, task) => (regressed(task) ? -1 : 0));
    const sequence = pairedConfidenceSequence('discordant_mixture', differences);
    const fixed = pairedDifferenceInterval(
      differences.map((d, task) => ({
        taskId: `t${task}`,
        baseline: { taskId: `t${task}`, passes: baselinePasses(task) ? 1 : 0, finished: 1 },
        variant: { taskId: `t${task}`, passes: baselinePasses(task) && d === 0 ? 1 : 0, finished: 1 },
      })),
    )!;
    expect(entry('S').vsBaseline).toMatchObject({ sequential: 'discordant_mixture', intervalKind: 'anytime_valid', interval: sequence, verdict: 'worse' });
    expect(entry('F').vsBaseline).toMatchObject({ sequential: null, intervalKind: 'fixed_size', interval: fixed });
    // Decided worse, and the interval says so too; it is wider than the fixed-size one, which is not valid after a stop.
    expect(entry('S').vsBaseline.pValue).toBeLessThanOrEqual(0.05);
    expect(sequence.high).toBeLessThan(0);
    expect(sequence.high - sequence.low).toBeGreaterThan(fixed.high - fixed.low);
    expect(sequence.low).toBeLessThanOrEqual(-0.375);
    expect(sequence.high).toBeGreaterThanOrEqual(-0.375);

    const [header, ...rows] = parseCsv(await raw(`/experiments/${seeded.id}/results.csv`));
    const csv = (key: string) => Object.fromEntries(header!.map((name, i) => [name, rows.find((row) => row[0] === seeded.variantIds[key])![i]!]));
    expect(csv('S')).toMatchObject({ difference_interval: 'anytime_valid', difference_low: String(sequence.low), difference_high: String(sequence.high) });
    expect(csv('F')).toMatchObject({ difference_interval: 'fixed_size', difference_low: String(fixed.low) });
    expect(await raw(`/experiments/${seeded.id}/results.md`)).toContain('the interval of the difference is the anytime-valid 95% interval');
  });
});

describe('only what ran counts', () => {
  it('a cancelled run: its never-sent tests are not run, shown apart, in no rate and never regressions or errors', async () => {
    // 20 tasks: the baseline passed all; the variant's run was cancelled after 6 tasks (4 passed, 2 failed).
    const seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Cancelled variant',
      taskCount: tasks,
      baselineRuns: [{ tests: run(1, () => 1) }],
      variants: [
        {
          key: 'C',
          name: 'Cancelled',
          override: { step: 'classifier', parameter: 'temperature', value: 0.2 },
          runs: [{ tests: Array.from({ length: tasks }, (_, task) => (task < 4 ? 'P' : task < 6 ? 'F' : 'N')), status: 'cancelled' }],
        },
      ],
    });
    const results = (await h.request('GET', `/experiments/${seeded.id}/results`)).body;
    const cancelled = results.variants.find((v: any) => v.variantId === seeded.variantIds.C);
    expect(cancelled).toMatchObject({ status: 'cancelled', total: 20, passed: 4, failed: 2, errored: 0, notRun: 14, pending: 0, vsBaseline: null });
    // 4 of the 6 that ran, not 4 of 20.
    expect(cancelled.passRate).toBeCloseTo(4 / 6, 12);
    expect(cancelled.tasks.finished).toBe(6);
    const runId = seeded.runIds.C![0]!;
    // Regressions are the two tasks that ran and failed; none of the 14 that never ran.
    expect(await flippedTasks(seeded.id, runId, 'regressed')).toEqual(new Set(['task-0005', 'task-0006']));
    const errored = await h.request('GET', `/experiments/${seeded.id}/runs/${runId}/tests?status=errored`);
    expect(errored.body.items).toEqual([]);
    const notRun = await h.request('GET', `/experiments/${seeded.id}/runs/${runId}/tests?status=not_run&limit=200`);
    expect(notRun.body.items).toHaveLength(14);
    expect(notRun.body.items.every((item: any) => item.notRunReason === 'cancelled' && item.flip === null)).toBe(true);
    // The page keeps them apart: "14 not run (not counted)", and the breakdown has a filter of its own for them.
    const page = await view('GET', `${mount}/experiments/${seeded.id}`);
    expect(textOf(query(page.doc, `table.xp-results tr[data-variant-id="${seeded.variantIds.C}"]`))).toContain('14 not run (not counted)');
    const breakdown = await view('GET', `${mount}/experiments/${seeded.id}/runs/${runId}/tests?filter=not_run`);
    expect(queryAll(breakdown.doc, 'article.xp-test')).toHaveLength(14);
    expect(textOf(breakdown.doc)).toContain('cancelled; not counted');
    const md = await raw(`/experiments/${seeded.id}/results.md`);
    expect(md).toContain('66.7% (30.0%–90.3%), 4/6 tests, 14 not run');
  });
});
