import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectableDifference, tasksNeeded } from '../../plugin/domain/detectable-difference.js';
import { createReadyExperimentVia, startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { seedExperiment } from '../results/results-fixture.js';
import { query, queryAll, textOf } from './html.js';
import { mount, viewClient } from './view-client.js';

// Plan before you run (issue 14): where tasks and repeats are chosen, the smallest detectable difference (the domain
// function's, tested against its references in plugin/domain/detectable-difference.test.ts), the tasks a typed
// difference needs, and a warning when the hypothesis names a difference the task set is too small for.

let h: PluginHarness;
let view: ReturnType<typeof viewClient>;

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
});
afterAll(async () => {
  await h?.close();
});

const planOf = async (experimentId: string, queryString = '') => {
  const response = await view('GET', `${mount}/experiments/${experimentId}/plan${queryString}`, { htmx: true });
  return { ...response, figures: query(response.doc, '.xp-plan-figures') };
};

describe('the plan before a run', () => {
  it('puts the plan where tasks and repeats are chosen: the tasks step, the baseline run form, the variant run and branch forms', async () => {
    const experiment = await createReadyExperimentVia(h, 'Plan slots');
    for (const path of [`setup/tasks`, `setup/run`]) {
      const page = await view('GET', `${mount}/experiments/${experiment.id}/${path}`);
      expect(page.status, path).toBe(200);
      const slot = query(page.doc, '.xp-plan');
      expect(slot.attrs['hx-get']).toBe(`${mount}/experiments/${experiment.id}/plan`);
      expect(slot.attrs['hx-trigger']).toContain('load');
      expect(slot.attrs).toMatchObject({ 'hx-target': 'this', 'hx-swap': 'innerHTML' });
    }
    const seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Plan on the experiment page',
      taskCount: 4,
      baselineRuns: [{ tests: ['P', 'P', 'F', 'P'] }],
      variants: [{ key: 'A', override: { step: 'classifier', parameter: 'temperature', value: 0.1 }, runs: [{ tests: ['P', 'F', 'P', 'P'] }] }],
    });
    const page = await view('GET', `${mount}/experiments/${seeded.id}`);
    const slots = queryAll(page.doc, '.xp-plan').map((slot) => slot.attrs['hx-get']);
    // Each variant's run form plans with the variants there are; the branch form with one more.
    expect(slots).toContain(`${mount}/experiments/${seeded.id}/plan`);
    expect(slots).toContain(`${mount}/experiments/${seeded.id}/plan?variants=2`);
  });

  it('before the baseline has run: assumes a 50% pass rate, and follows the repeats and variants asked', async () => {
    const experiment = await seedExperiment(h.db, { projectId: h.projects.a.id, name: 'Plan without a baseline', status: 'baseline_pending', taskCount: 40 });
    const tasks = 40;
    const plan = await planOf(experiment.id);
    expect(plan.status).toBe(200);
    expect(plan.figures.attrs['data-detectable']).toBe(detectableDifference({ tasks, passRate: 0.5 }).improvement!.toFixed(4));
    expect(textOf(plan.figures)).toContain('assuming a 50% pass rate and independent outcomes');
    expect(textOf(plan.figures)).toContain('exact McNemar test');
    const repeated = await planOf(experiment.id, '?repeats=3&variants=4');
    expect(repeated.figures.attrs['data-detectable']).toBe(
      detectableDifference({ tasks, passRate: 0.5, repeats: 3, baselineRepeats: 3, variants: 4 }).improvement!.toFixed(4),
    );
    expect(textOf(repeated.figures)).toContain('4 variants compared (Holm)');
    expect(textOf(repeated.figures)).toContain('permutation test');
    expect(queryAll(plan.doc, '[data-plan-warning]')).toHaveLength(0);
  });

  it('from the baseline’s results, with the tasks a typed difference needs and a warning for the hypothesis’s difference', async () => {
    const seeded = await seedExperiment(h.db, {
      projectId: h.projects.a.id,
      name: 'Plan from the baseline',
      description: 'A cooler classifier raises the pass rate by 10 points.',
      taskCount: 40,
      baselineRuns: [{ tests: Array.from({ length: 40 }, (_, task) => (task < 28 ? 'P' : 'F')) }],
      variants: [{ key: 'A', override: { step: 'classifier', parameter: 'temperature', value: 0.1 } }],
    });
    const plan = await planOf(seeded.id, '?difference=10');
    expect(plan.status).toBe(200);
    expect(plan.figures.attrs['data-detectable']).toBe(detectableDifference({ tasks: 40, passRate: 0.7, variants: 1 }).improvement!.toFixed(4));
    expect(textOf(plan.figures)).toContain("from the baseline's results (pass rate 70.0%");
    const needed = tasksNeeded({ passRate: 0.7, variants: 1 }, 0.1)!;
    expect(query(plan.doc, '[data-tasks-needed]').attrs['data-tasks-needed']).toBe(String(needed));
    expect(needed).toBeGreaterThan(40);
    const warning = query(plan.doc, '[data-plan-warning]');
    expect(textOf(warning)).toContain('The hypothesis names a 10.0 points difference');
    expect(textOf(warning)).toContain(`about ${needed.toLocaleString('en-US')} tasks are needed`);

    // A hypothesis with no number: no warning, nothing guessed.
    await h.db.updateTable('experiments').set({ description: 'A cooler classifier picks the right category more often.' }).where('id', '=', seeded.id).execute();
    expect(queryAll((await planOf(seeded.id)).doc, '[data-plan-warning]')).toHaveLength(0);
  });

  it('refuses a bad repeat count, difference or variant count with a 400 and a message', async () => {
    const experiment = await createReadyExperimentVia(h, 'Plan refusals');
    for (const bad of ['?repeats=0', '?repeats=2.5', '?repeats=21', '?difference=abc', '?difference=0', '?difference=101', '?variants=0']) {
      const response = await view('GET', `${mount}/experiments/${experiment.id}/plan${bad}`, { htmx: true });
      expect(response.status, bad).toBe(400);
      expect(textOf(response.doc)).toMatch(/must be/);
    }
    const missing = await view('GET', `${mount}/experiments/00000000-0000-4000-8000-000000000000/plan`, { htmx: true });
    expect(missing.status).toBe(404);
  });
});
