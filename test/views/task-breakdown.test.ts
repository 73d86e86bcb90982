import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonb } from '../../plugin/store/jsonb.js';
import { startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { seedExperiment, type SeededExperiment } from '../results/results-fixture.js';
import { query, queryAll, textOf } from './html.js';
import { mount, viewClient } from './view-client.js';

// Issue 18: the breakdown's filter tabs say how many tests each keeps, its pages are numbered, each test shows the
// webhook payload (with the overrides) it was sent, and the word diff never splits a word from its punctuation.
let h: PluginHarness;
let view: ReturnType<typeof viewClient>;
let seeded: SeededExperiment;
const overrides = { classifier: { model: 'gpt-4o-mini', temperature: 0.2 } };

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
  // 45 tasks: the variant fails tasks 1–3, improves on 4, errors on 5 and times out on 6 (five regressions in all).
  const baseline = Array.from({ length: 45 }, (_, i) => (i < 3 ? 'P' : i === 3 ? 'F' : 'P'));
  const variant = Array.from({ length: 45 }, (_, i) => (i < 3 ? 'F' : i === 4 ? 'E' : i === 5 ? 'T' : 'P'));
  seeded = await seedExperiment(h.db, {
    projectId: h.projects.a.id,
    taskCount: 45,
    baselineRuns: [{ tests: baseline }],
    variants: [
      { key: 'A', name: 'Cooler', override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [{ tests: variant }] },
    ],
  });
  const runId = seeded.runIds.A![0]!;
  await h.db
    .updateTable('runs')
    .set({ config: jsonb(overrides) })
    .where('id', '=', runId)
    .execute();
  const output = (run: string, text: string) =>
    h.db.updateTable('tests').set({ output: text }).where('run_id', '=', run).where('position', '=', 0).execute();
  await output(seeded.runIds.baseline![0]!, 'Thanks for reaching out, and sorry for the trouble. I have refunded it.');
  await output(runId, 'Sorry about that, let me sort it out for you. I have refunded it.');
});
afterAll(async () => {
  await h?.close();
});

const breakdown = (query = '') => view('GET', `${mount}/experiments/${seeded.id}/runs/${seeded.runIds.A![0]}/tests${query}`);

describe('the task breakdown', () => {
  it('shows how many tests each filter keeps', async () => {
    const page = await breakdown();
    expect(queryAll(page.doc, '.xp-filter a').map(textOf)).toEqual([
      'All tests (45)',
      'Regressions (5)',
      'Improvements (1)',
      'Errors (1)',
      'Timed out (1)',
      'Failed (3)',
      'Flaky tasks (0)',
      'Not run (0)',
    ]);
    // Each count is what its filter lists.
    expect(queryAll((await breakdown('?filter=regressed')).doc, 'article.xp-test')).toHaveLength(5);
  });

  it('numbers its pages and links each, keeping the filter', async () => {
    const first = await breakdown();
    const pageLinks = queryAll(first.doc, '.xp-page-list a[aria-label]');
    expect(pageLinks.map(textOf)).toEqual(['1', '2', '3']);
    expect(pageLinks[0]!.attrs['aria-current']).toBe('page');
    expect(textOf(query(first.doc, '.xp-pages p'))).toBe('Page 1 of 3');

    const third = await view('GET', pageLinks[2]!.attrs.href!);
    expect(queryAll(third.doc, 'article.xp-test')).toHaveLength(5);
    expect(queryAll(third.doc, 'article.xp-test h2').map(textOf)[0]).toBe('Task 41');
    expect(query(third.doc, '.xp-page-list a[aria-current="page"]').attrs['aria-label']).toBe('Page 3');

    // "Next page" still reads on from the last test shown, and the page it lands on is marked.
    const next = queryAll(first.doc, '.xp-page-list a').find((a) => textOf(a) === 'Next page')!;
    const second = await view('GET', next.attrs.href!);
    expect(textOf(query(second.doc, '.xp-pages p'))).toBe('Page 2 of 3');
    expect(queryAll(second.doc, 'article.xp-test h2').map(textOf)[0]).toBe('Task 21');

    const failed = await breakdown('?filter=failed');
    expect(queryAll(failed.doc, '.xp-pages')).toEqual([]);
    expect((await breakdown('?page=99')).status).toBe(200);
    expect(textOf(query((await breakdown('?page=abc')).doc, '.xp-pages p'))).toBe('Page 1 of 3');
  });

  it('shows the webhook payload and the overrides each test was sent', async () => {
    const page = await breakdown();
    const card = queryAll(page.doc, 'article.xp-test')[0]!;
    expect(textOf(query(card, '.xp-payload summary'))).toBe('Webhook payload and overrides sent');
    const payload = JSON.parse(textOf(query(card, '.xp-payload pre')));
    expect(payload).toMatchObject({
      testId: card.attrs['data-test-id'],
      prompt: 'Question 1',
      task: { id: seeded.taskIds[0], title: 'Task 1' },
      experiment: { id: seeded.id, variantId: seeded.variantIds.A, runId: seeded.runIds.A![0], repeat: 0, overrides },
    });
  });

  it('never puts a space before punctuation in the word diff', async () => {
    const card = queryAll((await breakdown()).doc, 'article.xp-test')[0]!;
    const [before, after] = queryAll(card, '.xp-output pre');
    expect(textOf(after!)).toBe('Sorry about that, let me sort it out for you. I have refunded it.');
    // Every mark holds whole words with their punctuation: read mark by mark, no word is parted from its full stop.
    const marks = [...queryAll(before!, 'del'), ...queryAll(after!, 'ins')].map(textOf);
    expect(marks.length).toBeGreaterThan(0);
    for (const mark of marks) expect(mark).not.toMatch(/^[.,!?;:]/);
    expect(queryAll(after!, 'ins').map((mark) => textOf(mark).trim())).toEqual(['Sorry about that, let me sort it out', 'you.']);
  });
});
