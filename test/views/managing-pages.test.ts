import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeBaselineVia, createReadyExperimentVia, startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { query, queryAll, textOf } from './html.js';
import { mount, viewClient } from './view-client.js';

// Issue 18, from the tab: "Run all drafts" and the queue, editing and deleting draft variants, and an experiment's
// settings page (name, hypothesis, evaluations, unarchive).
let h: PluginHarness;
let view: ReturnType<typeof viewClient>;

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
});
afterAll(async () => {
  await h?.close();
});

async function lockedWithDrafts(name: string, drafts: string[]) {
  const experiment = await createReadyExperimentVia(h, name);
  await completeBaselineVia(h, experiment);
  const ids: string[] = [];
  for (const [index, draft] of drafts.entries()) {
    const created = await h.request('POST', `/experiments/${experiment.id}/variants`, {
      parentId: experiment.baselineId,
      name: draft,
      override: { step: 'response_generator', parameter: 'max_tokens', value: 100 + index },
    });
    ids.push(created.body.id);
  }
  return { ...experiment, drafts: ids };
}

const page = (id: string) => view('GET', `${mount}/experiments/${id}`);

describe('the run queue in the tab', () => {
  it('offers "Run all drafts", queues them in order and lets one be taken out', async () => {
    const experiment = await lockedWithDrafts('Queue tab', ['First', 'Second']);
    const before = await page(experiment.id);
    const runAll = query(before.doc, '.xp-queue form button');
    expect(textOf(runAll)).toBe('Run all drafts (2)');

    const queued = await view('POST', `${mount}/experiments/${experiment.id}/queue`, { htmx: true, form: { concurrency: '2' } });
    expect(queued.status).toBe(200);
    expect(textOf(query(queued.doc, '#flash'))).toContain('2 runs queued');
    expect(queryAll(queued.doc, '.xp-queue-list li').map(textOf)).toEqual(['First', 'Second']);
    expect(queryAll(queued.doc, '.xp-badge-queued').map(textOf)).toEqual(['Queued #1', 'Queued #2']);
    // Nothing is going and runs wait: the section looks again shortly, to follow the next run.
    const live = `${mount}/experiments/${experiment.id}/live`;
    expect(query(queued.doc, '.xp-queue [hx-trigger="load delay:1s"]').attrs['hx-get']).toBe(`${live}?queueLook=1`);
    expect(queued.html).not.toContain('data-queue-waiting');
    // No worker here, so the runs keep waiting: each look waits twice as long, up to 30 s, and after about 15 s says why.
    const looked = async (address: string) => {
      const answer = await view('GET', address, { htmx: true });
      expect(answer.status).toBe(200);
      const next = query(answer.doc, '.xp-queue [hx-get]');
      return { trigger: next.attrs['hx-trigger'], next: next.attrs['hx-get'], notice: queryAll(answer.doc, '[data-queue-waiting]').map(textOf) };
    };
    expect(await looked(`${live}?queueLook=1`)).toEqual({ trigger: 'load delay:2s', next: `${live}?queueLook=2`, notice: [] });
    const fourth = await looked(`${live}?queueLook=4`);
    expect(fourth.trigger).toBe('load delay:16s');
    expect(fourth.notice[0]).toContain('only while a worker of the plugin is running');
    expect((await looked(`${live}?queueLook=9`)).trigger).toBe('load delay:30s');
    // Any other value in the address is taken as a first look (or capped), never as an error.
    for (const odd of ['abc', '-3', '2.5', '1e9']) expect((await looked(`${live}?queueLook=${odd}`)).trigger, odd).toMatch(/^load delay:(1|30)s$/);

    const entries = (await h.request('GET', `/experiments/${experiment.id}/queue`)).body.queue;
    const removed = await view('POST', `${mount}/experiments/${experiment.id}/queue/${entries[0].id}/remove`, { htmx: true });
    expect(removed.status).toBe(200);
    expect(queryAll(removed.doc, '.xp-queue-list li').map(textOf)).toEqual(['Second']);
    expect((await view('POST', `${mount}/experiments/${experiment.id}/queue/${entries[0].id}/remove`, { htmx: true })).status).toBe(404);

    const bad = await view('POST', `${mount}/experiments/${experiment.id}/queue`, { htmx: true, form: { concurrency: 'lots' } });
    expect(bad.status).toBe(422);
    expect(textOf(query(bad.doc, '#flash'))).toContain('Nothing was queued');
    // Run by hand, a queued variant leaves the queue: it would otherwise run twice.
    const second = entries[1].variantId;
    expect((await h.request('POST', `/experiments/${experiment.id}/variants/${second}/runs`, {})).status).toBe(202);
    expect((await h.request('GET', `/experiments/${experiment.id}/queue`)).body.queue).toEqual([]);
  });

  it('drops the queued runs when the experiment is archived', async () => {
    const experiment = await lockedWithDrafts('Queue archived', ['One', 'Two']);
    expect((await h.request('POST', `/experiments/${experiment.id}/queue`, {})).status).toBe(202);
    // An archived (or completed) experiment runs nothing more.
    expect((await h.request('POST', `/experiments/${experiment.id}/archive`)).status).toBe(200);
    expect((await h.request('GET', `/experiments/${experiment.id}/queue`)).body.queue).toEqual([]);
  });
});

describe('draft variants in the tab', () => {
  it('edits a draft on its own page, with its errors beside the fields', async () => {
    const experiment = await lockedWithDrafts('Edit tab', ['Shorter']);
    const [draftId] = experiment.drafts;
    const tree = await page(experiment.id);
    const edit = queryAll(tree.doc, `li[data-variant-id="${draftId}"] a`).find((link) => textOf(link).startsWith('Edit'))!;
    expect(edit.attrs.href).toBe(`${mount}/experiments/${experiment.id}/variants/${draftId}/edit`);

    const form = await view('GET', edit.attrs.href!);
    expect(form.status).toBe(200);
    expect(query(form.doc, '#edit-name').attrs.value).toBe('Shorter');
    expect(query(form.doc, '#edit-value').attrs.value).toBe('100');
    expect(textOf(query(form.doc, '#edit-value-current'))).toContain('512');

    const refused = await view('POST', edit.attrs.href!, {
      form: { name: 'Shorter', step: 'response_generator', parameter: 'max_tokens', value: '512' },
    });
    expect(refused.status).toBe(422);
    expect(textOf(query(refused.doc, '#edit-value-error'))).toContain('already 512');
    const saved = await view('POST', edit.attrs.href!, {
      form: { name: 'Much shorter', description: 'Fewer words', step: 'response_generator', parameter: 'max_tokens', value: '64' },
    });
    expect(saved.status).toBe(303);
    const variant = (await h.request('GET', `/experiments/${experiment.id}`)).body.variants[0].children[0];
    expect(variant).toMatchObject({ name: 'Much shorter', description: 'Fewer words', override: { value: 64 } });
  });

  it('deletes a draft, and offers neither edit nor delete once a variant has run', async () => {
    const experiment = await lockedWithDrafts('Delete tab', ['Gone', 'Ran']);
    const [goneId, ranId] = experiment.drafts;
    await h.setVariantStatus(ranId!, 'completed');
    const tree = await page(experiment.id);
    const actions = (id: string) =>
      [
        ...queryAll(tree.doc, `li[data-variant-id="${id}"] .xp-node-actions a`),
        ...queryAll(tree.doc, `li[data-variant-id="${id}"] .xp-node-actions button`),
      ].map(textOf);
    expect(actions(goneId!)).toEqual(expect.arrayContaining(['Edit Gone', 'Delete Gone']));
    expect(actions(ranId!).some((text) => text.startsWith('Edit') || text.startsWith('Delete'))).toBe(false);

    const deleted = await view('POST', `${mount}/experiments/${experiment.id}/variants/${goneId}/delete`, { htmx: true });
    expect(deleted.status).toBe(200);
    expect(textOf(query(deleted.doc, '#flash'))).toContain('“Gone” deleted');
    expect(queryAll(deleted.doc, `li[data-variant-id="${goneId}"]`)).toEqual([]);
    expect((await view('POST', `${mount}/experiments/${experiment.id}/variants/${ranId}/delete`, { htmx: true })).status).toBe(409);
    expect((await view('GET', `${mount}/experiments/${experiment.id}/variants/${ranId}/edit`)).status).toBe(409);
  });
});

describe('the settings page', () => {
  it('renames the experiment and edits its hypothesis after creation', async () => {
    const experiment = await lockedWithDrafts('Settings', []);
    const link = queryAll((await page(experiment.id)).doc, '.xp-breadcrumb a').find((a) => textOf(a).startsWith('Settings'))!;
    expect(link.attrs.href).toBe(`${mount}/experiments/${experiment.id}/settings`);
    const settings = await view('GET', link.attrs.href!);
    expect(settings.status).toBe(200);
    expect(query(settings.doc, 'label[for="settings-name"]')).toBeTruthy();
    const blank = await view('POST', `${mount}/experiments/${experiment.id}/settings`, { form: { name: ' ', description: 'x' } });
    expect(blank.status).toBe(422);
    expect(textOf(query(blank.doc, '#settings-name-error'))).toContain('name must not be blank');
    const saved = await view('POST', `${mount}/experiments/${experiment.id}/settings`, {
      form: { name: 'Renamed', description: 'Shorter answers are rated better' },
    });
    expect(saved.status).toBe(303);
    const after = await view('GET', saved.headers.get('location')!);
    expect(textOf(query(after.doc, '#flash'))).toBe('Saved.');
    expect((await h.request('GET', `/experiments/${experiment.id}`)).body).toMatchObject({
      name: 'Renamed',
      description: 'Shorter answers are rated better',
    });
  });

  it('shows and sets the evaluations every task gets, refusing what is not a valid list', async () => {
    const experiment = await lockedWithDrafts('Evaluations', []);
    const url = `${mount}/experiments/${experiment.id}/settings/evaluations`;
    const notJson = await view('POST', url, { form: { evaluations: '[{"type": ' } });
    expect(notJson.status).toBe(422);
    expect(textOf(query(notJson.doc, '#settings-evaluations-error'))).toContain('not valid JSON');
    const unknown = await view('POST', url, { form: { evaluations: '[{"type": "telepathy"}]' } });
    expect(unknown.status).toBe(422);
    expect(query(unknown.doc, '#settings-evaluations-error')).toBeTruthy();
    const saved = await view('POST', url, { form: { evaluations: '[{"type": "contains", "value": "refund"}]' } });
    expect(saved.status).toBe(303);
    const shown = await view('GET', `${mount}/experiments/${experiment.id}/settings`);
    const stored = (await h.request('GET', `/experiments/${experiment.id}/evaluations`)).body.evaluations;
    expect(stored).toMatchObject([{ type: 'contains', value: 'refund' }]);
    expect(queryAll(shown.doc, '.xp-evaluation-list code').map(textOf)).toEqual([JSON.stringify(stored[0])]);
  });

  it('unarchives an archived experiment back to its status', async () => {
    const experiment = await lockedWithDrafts('Unarchive', []);
    await h.request('POST', `/experiments/${experiment.id}/archive`);
    const settings = await view('GET', `${mount}/experiments/${experiment.id}/settings`);
    expect(queryAll(settings.doc, 'fieldset[disabled]')).toHaveLength(2);
    const unarchive = query(settings.doc, '.xp-notice form');
    const back = await view('POST', unarchive.attrs.action!);
    expect(back.status).toBe(303);
    expect((await h.request('GET', `/experiments/${experiment.id}`)).body.status).toBe('baseline_complete');
    expect((await view('POST', unarchive.attrs.action!, { htmx: true })).status).toBe(409);
  });
});
