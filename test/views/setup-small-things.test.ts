import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExperimentVia, createReadyExperimentVia, startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { query, queryAll, textOf } from './html.js';
import { mount, viewClient } from './view-client.js';

// Issue 18's small things: the task picker keeps unsaved ticks through a search and says how many are ticked; a setup
// page that sends the person away says why; before anything has run, the list points at the experiment ready to run.
let h: PluginHarness;
let view: ReturnType<typeof viewClient>;

beforeAll(async () => {
  h = await startPluginHarness({ tasksPerProject: 6 });
  view = viewClient(h);
});
afterAll(async () => {
  await h?.close();
});

describe('the task picker', () => {
  it('marks each box with whether it is saved, so the count can follow the ticks', async () => {
    const id = await createExperimentVia(h, 'Ticks');
    await h.request('PATCH', `/experiments/${id}`, { taskIds: [h.projects.a.taskIds[0]] });
    const page = await view('GET', `${mount}/experiments/${id}/setup/tasks`);
    expect(query(page.doc, '#task-count').attrs['data-selected-count']).toBe('1');
    const boxes = queryAll(page.doc, 'input[name="task"]');
    expect(boxes.map((box) => box.attrs['data-saved'])).toEqual(['true', 'false', 'false', 'false', 'false', 'false']);
    // The search box and button belong to the tasks form, so a search posts the ticks with it.
    expect(query(page.doc, '#task-search').attrs.form).toBe('tasks-form');
    expect(query(page.doc, 'button[value="search"]').attrs.form).toBe('tasks-form');
  });

  it('keeps the ticks made before a search', async () => {
    const id = await createExperimentVia(h, 'Search keeps ticks');
    const [first, second, ...rest] = h.projects.a.taskIds;
    const searched = await view('POST', `${mount}/experiments/${id}/setup/tasks`, {
      form: { action: 'search', search: 'task 6', shownSearch: '', shown: [first!, second!, ...rest], task: [first!, second!] },
    });
    expect(searched.status).toBe(303);
    expect(searched.headers.get('location')).toBe(`${mount}/experiments/${id}/setup/tasks?search=task+6`);
    expect((await h.request('GET', `/experiments/${id}`)).body.taskIds).toEqual([first, second]);
    const page = await view('GET', searched.headers.get('location')!);
    expect(textOf(query(page.doc, '#task-count'))).toBe('2 tasks selected');
    expect(query(page.doc, '#task-search').attrs.value).toBe('task 6');
  });
});

describe('a setup page of an experiment that cannot be set up now', () => {
  it('sends the person to the experiment and says why', async () => {
    const experiment = await createReadyExperimentVia(h, 'Running');
    await h.setStatus(experiment.id, 'running_baseline');
    const sent = await view('GET', `${mount}/experiments/${experiment.id}/setup/tasks`);
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`${mount}/experiments/${experiment.id}?notice=running`);
    const page = await view('GET', sent.headers.get('location')!);
    expect(textOf(query(page.doc, '#flash'))).toContain('cannot change while the baseline is running');

    await h.setStatus(experiment.id, 'baseline_complete');
    const locked = await view('GET', `${mount}/experiments/${experiment.id}/setup/baseline`);
    expect(locked.headers.get('location')).toBe(`${mount}/experiments/${experiment.id}?notice=locked`);
    // Only the fixed notices are shown: nothing is taken from the address.
    const forged = await view('GET', `${mount}/experiments/${experiment.id}?notice=%3Cb%3Ehi`);
    expect(textOf(query(forged.doc, '#flash'))).toBe('');
  });
});

describe('the experiments list before anything has run', () => {
  it('points at the experiment ready to run', async () => {
    const other = await startPluginHarness();
    try {
      const otherView = viewClient(other);
      const ready = await createReadyExperimentVia(other, 'Support bot demo');
      const list = await otherView('GET', `${mount}/`);
      const link = query(query(list.doc, '#start-here'), 'a');
      expect(link.attrs.href).toBe(`${mount}/experiments/${ready.id}`);
      expect(textOf(link)).toBe('Support bot demo');
      await other.setStatus(ready.id, 'baseline_complete');
      await other.db
        .insertInto('runs')
        .values({
          experiment_id: ready.id,
          variant_id: ready.baselineId,
          number: 1,
          is_baseline: true,
          concurrency: 1,
          repeats: 1,
          trace_timeout_seconds: 60,
          config: '{}',
          total: 0,
          workflow_id: 'w',
          status: 'completed',
        })
        .execute();
      expect(queryAll((await otherView('GET', `${mount}/`)).doc, '#start-here')).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
