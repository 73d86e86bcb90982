import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeBaselineVia,
  createReadyExperimentVia,
  startPluginHarness,
  storedExperiment,
  type PluginHarness,
} from '../helpers/plugin-harness.js';

// Issue 18: draft variants can be edited and deleted until they first run; an archived experiment can be brought back
// as it was. Every refusal is a clear 4xx that changes nothing.
let h: PluginHarness;

beforeAll(async () => {
  h = await startPluginHarness();
});
afterAll(async () => {
  await h?.close();
});

async function lockedWithDraft(name: string) {
  const experiment = await createReadyExperimentVia(h, name);
  await completeBaselineVia(h, experiment);
  const draft = await h.request('POST', `/experiments/${experiment.id}/variants`, {
    parentId: experiment.baselineId,
    name: 'Cooler',
    override: { step: 'response_generator', parameter: 'temperature', value: 0.3 },
  });
  expect(draft.status).toBe(201);
  return { ...experiment, draftId: draft.body.id as string };
}

const variantsOf = async (id: string) => (await h.request('GET', `/experiments/${id}`)).body.variants[0].children as any[];

describe('editing a draft variant', () => {
  it('renames it, rewrites its description and replaces its override', async () => {
    const { id, draftId } = await lockedWithDraft('Edit');
    const edited = await h.request('PATCH', `/experiments/${id}/variants/${draftId}`, {
      name: 'Much cooler',
      description: 'Less wandering',
      override: { step: 'response_generator', parameter: 'temperature', value: 0.1 },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Much cooler', description: 'Less wandering', change: { from: 0.7, to: 0.1 } });
    expect(edited.body.effectiveConfig.response_generator.temperature).toBe(0.1);
    expect((await variantsOf(id)).map((variant) => variant.name)).toEqual(['Much cooler']);
  });

  it('refuses what it cannot take, and changes nothing', async () => {
    const { id, baselineId, draftId } = await lockedWithDraft('Edit refusals');
    const child = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: draftId,
      name: 'Child',
      override: { step: 'classifier', parameter: 'verbosity', value: 'low' },
    });
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['an empty edit', draftId, {}, 400, /at least one of/],
      ['an unknown field', draftId, { colour: 'red' }, 400, /colour|Unrecognized/i],
      ['a taken name', draftId, { name: 'Baseline' }, 409, /already the name/],
      [
        'an override of a variant with children',
        draftId,
        { override: { step: 'classifier', parameter: 'top_p', value: 0.5 } },
        409,
        /children/,
      ],
      [
        'an override that changes nothing',
        child.body.id,
        { override: { step: 'response_generator', parameter: 'temperature', value: 0.3 } },
        422,
        /already/,
      ],
      [
        'an out-of-range value',
        child.body.id,
        { override: { step: 'classifier', parameter: 'temperature', value: 9 } },
        422,
        /temperature/,
      ],
      ['the baseline', baselineId, { name: 'Renamed baseline' }, 409, /baseline/],
      ['an unknown variant', '00000000-0000-4000-8000-000000000000', { name: 'x' }, 404, /not found/],
      ['a malformed id', 'nope', { name: 'x' }, 404, /./],
    ];
    for (const [what, variantId, body, status, message] of cases) {
      const response = await h.request('PATCH', `/experiments/${id}/variants/${variantId}`, body);
      expect(response.status, what).toBe(status);
      expect(response.body.error.message, what).toMatch(message);
    }
    await h.setVariantStatus(draftId, 'completed');
    const ran = await h.request('PATCH', `/experiments/${id}/variants/${draftId}`, { name: 'Too late' });
    expect(ran.status).toBe(409);
    expect(ran.body.error.message).toMatch(/has run/);
    expect((await variantsOf(id)).map((variant) => [variant.name, variant.override.value])).toEqual([['Cooler', 0.3]]);
  });
});

describe('deleting a draft variant', () => {
  it('deletes a childless draft and refuses the rest', async () => {
    const { id, baselineId, draftId } = await lockedWithDraft('Delete');
    const child = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: draftId,
      name: 'Child',
      override: { step: 'classifier', parameter: 'verbosity', value: 'low' },
    });
    const withChildren = await h.request('DELETE', `/experiments/${id}/variants/${draftId}`);
    expect(withChildren.status).toBe(409);
    expect(withChildren.body.error.message).toMatch(/branched from it/);
    expect((await h.request('DELETE', `/experiments/${id}/variants/${baselineId}`)).status).toBe(409);
    expect((await h.request('DELETE', `/experiments/${id}/variants/${child.body.id}`)).status).toBe(200);
    expect((await h.request('DELETE', `/experiments/${id}/variants/${child.body.id}`)).status).toBe(404);
    await h.setVariantStatus(draftId, 'completed');
    expect((await h.request('DELETE', `/experiments/${id}/variants/${draftId}`)).status).toBe(409);
    expect((await storedExperiment(h, id)).variants).toHaveLength(2);
  });
});

describe('renaming, the hypothesis and unarchiving', () => {
  it('renames a locked experiment and edits its hypothesis, then archives and unarchives it back to where it was', async () => {
    const { id } = await lockedWithDraft('Rename me');
    const renamed = await h.request('PATCH', `/experiments/${id}`, { name: 'Renamed', description: 'Cooler replies are more on point' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Renamed', description: 'Cooler replies are more on point', status: 'baseline_complete' });
    expect((await h.request('POST', `/experiments/${id}/unarchive`)).status).toBe(409);
    expect((await h.request('POST', `/experiments/${id}/archive`)).body.status).toBe('archived');
    expect((await h.request('PATCH', `/experiments/${id}`, { name: 'While archived' })).status).toBe(409);
    const back = await h.request('POST', `/experiments/${id}/unarchive`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'baseline_complete', archivedAt: null, name: 'Renamed' });
    expect(back.body.events[0]).toMatchObject({ kind: 'unarchive', fromStatus: 'archived', toStatus: 'baseline_complete' });
  });

  it('refuses to unarchive an experiment whose key another open experiment took meanwhile', async () => {
    const first = await h.request('POST', '/experiments', { name: 'Keyed', key: 'support-bot' });
    expect((await h.request('POST', `/experiments/${first.body.id}/archive`)).status).toBe(200);
    const second = await h.request('POST', '/experiments', { name: 'Keyed again', key: 'support-bot' });
    expect(second.status).toBe(201);
    const refused = await h.request('POST', `/experiments/${first.body.id}/unarchive`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/key/);
    expect((await h.request('GET', `/experiments/${first.body.id}`)).body.status).toBe('archived');
    expect((await h.request('POST', `/experiments/${first.body.id}/unarchive`, { force: true })).status).toBe(400);
  });
});
