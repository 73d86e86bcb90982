import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeBaselineVia,
  createReadyExperimentVia,
  startPluginHarness,
  storedExperiment,
  testBaseline,
  type PluginHarness,
} from '../helpers/plugin-harness.js';

let h: PluginHarness;

beforeAll(async () => {
  h = await startPluginHarness();
});
afterAll(async () => {
  await h?.close();
});

const errorOf = (body: any) => body?.error as { code: string; message: string; details?: any };

/** A ready experiment whose baseline has completed, so variants may be added. */
async function lockedExperiment(name = 'Locked') {
  const experiment = await createReadyExperimentVia(h, name);
  await completeBaselineVia(h, experiment);
  return experiment;
}

const lowerTemperature = { step: 'response_generator', parameter: 'temperature', value: 0.3 };

describe('adding variants', () => {
  it('adds a variant under the baseline (201) with its change and effective config', async () => {
    const { id, baselineId } = await lockedExperiment();
    const response = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Cooler replies',
      description: 'Less creative, more on point',
      override: lowerTemperature,
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      parentId: baselineId,
      isBaseline: false,
      name: 'Cooler replies',
      description: 'Less creative, more on point',
      status: 'draft',
      override: lowerTemperature,
      change: { step: 'response_generator', parameter: 'temperature', from: 0.7, to: 0.3 },
      effectiveConfig: { ...testBaseline, response_generator: { ...testBaseline.response_generator, temperature: 0.3 } },
    });
    expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('nests variants: a child applies every override from the root, and the tree shows it', async () => {
    const { id, baselineId } = await lockedExperiment();
    const cooler = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Cooler',
      override: lowerTemperature,
    });
    const terse = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: cooler.body.id,
      name: 'Cooler and terse',
      override: { step: 'classifier', parameter: 'verbosity', value: 'low' },
    });
    expect(terse.status).toBe(201);
    expect(terse.body.change).toEqual({ step: 'classifier', parameter: 'verbosity', from: null, to: 'low' });
    const expected = {
      classifier: { ...testBaseline.classifier, verbosity: 'low' },
      response_generator: { ...testBaseline.response_generator, temperature: 0.3 },
    };
    expect(terse.body.effectiveConfig).toEqual(expected);

    const sibling = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Bigger model',
      override: { step: 'classifier', parameter: 'model', value: 'gpt-4o' },
    });
    expect(sibling.status).toBe(201);

    const detail = await h.request('GET', `/experiments/${id}`);
    expect(detail.status).toBe(200);
    const [root] = detail.body.variants;
    expect(detail.body.variants).toHaveLength(1);
    expect(root).toMatchObject({ id: baselineId, isBaseline: true, status: 'completed', effectiveConfig: testBaseline });
    expect(root.children.map((v: any) => v.name)).toEqual(['Cooler', 'Bigger model']);
    expect(root.children[0].children).toEqual([
      expect.objectContaining({ id: terse.body.id, effectiveConfig: expected, change: terse.body.change, children: [] }),
    ]);
    expect(root.children[1].change).toEqual({ step: 'classifier', parameter: 'model', from: 'gpt-4o-mini', to: 'gpt-4o' });
    expect(detail.body.events.find((e: any) => e.kind === 'variant_created' && e.details.variantId === terse.body.id)).toBeDefined();

    const config = await h.request('GET', `/experiments/${id}/variants/${terse.body.id}/config`);
    expect(config.status).toBe(200);
    expect(config.body).toEqual({ variantId: terse.body.id, name: 'Cooler and terse', config: expected });
    const baselineConfig = await h.request('GET', `/experiments/${id}/variants/${baselineId}/config`);
    expect(baselineConfig.body).toEqual({ variantId: baselineId, name: 'Baseline', config: testBaseline });
  });

  it('allows a variant while another variant runs', async () => {
    const { id, baselineId } = await lockedExperiment();
    await h.setStatus(id, 'running_variant');
    const response = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Queued',
      override: lowerTemperature,
    });
    expect(response.status).toBe(201);
  });

  it.each([
    ['an override that changes nothing', { ...lowerTemperature, value: 0.7 }, 'already 0.7'],
    ['a step that is not in scope', { step: 'retriever', parameter: 'temperature', value: 0.1 }, 'retriever'],
    ["another project's step", { step: 'summarizer', parameter: 'temperature', value: 0.1 }, 'summarizer'],
    ['an unknown parameter', { step: 'classifier', parameter: 'seed', value: 1 }, 'parameter must be one of'],
    ['a bad value', { step: 'classifier', parameter: 'temperature', value: 5 }, 'temperature must be a number between 0 and 2'],
    ['a value of the wrong type', { step: 'classifier', parameter: 'max_tokens', value: '100' }, 'max_tokens'],
    ['an unknown key in the override', { ...lowerTemperature, reason: 'why not' }, 'reason'],
    ['a missing value', { step: 'classifier', parameter: 'model' }, 'model'],
    [
      'a prototype key in the override',
      JSON.parse('{"step": "classifier", "parameter": "model", "value": "gpt-4o", "__proto__": {}}'),
      '__proto__',
    ],
  ])('refuses %s with 422 and adds nothing', async (_, override, named) => {
    const { id, baselineId } = await lockedExperiment();
    const before = await storedExperiment(h, id);
    const response = await h.request(
      'POST',
      `/experiments/${id}/variants`,
      JSON.stringify({ parentId: baselineId, name: 'Refused', override }),
    );
    expect(response.status).toBe(422);
    expect(errorOf(response.body).code).toBe('unprocessable');
    expect(errorOf(response.body).message).toContain(named);
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it('refuses an unchanged value against the parent variant, not only the baseline', async () => {
    const { id, baselineId } = await lockedExperiment();
    const cooler = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Cooler',
      override: lowerTemperature,
    });
    const again = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: cooler.body.id,
      name: 'Same',
      override: lowerTemperature,
    });
    expect(again.status).toBe(422);
    expect(errorOf(again.body).details).toEqual([{ path: 'value', message: expect.stringContaining('already 0.3') }]);
  });

  it('refuses a parent that is not a variant of this experiment with 422', async () => {
    const { id } = await lockedExperiment('Here');
    const elsewhere = await lockedExperiment('Elsewhere');
    const before = await storedExperiment(h, id);
    for (const parentId of [elsewhere.baselineId, randomUUID(), 'baseline', '']) {
      const response = await h.request('POST', `/experiments/${id}/variants`, { parentId, name: 'Orphan', override: lowerTemperature });
      expect(response.status, parentId).toBe(422);
      expect(errorOf(response.body).details).toEqual([
        { path: 'parentId', message: expect.stringContaining('not a variant of this experiment') },
      ]);
    }
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it.each([
    ['a missing override', { name: 'v' }],
    ['an override that is not an object', { name: 'v', override: 'temperature=0.3' }],
    ['a missing name', { override: lowerTemperature }],
    ['an unknown key', { name: 'v', override: lowerTemperature, status: 'completed' }],
    ['a NUL in a system prompt', { name: 'v', override: { step: 'classifier', parameter: 'system', value: 'a\u0000b' } }],
  ])('refuses %s with 400', async (_, body) => {
    const { id, baselineId } = await lockedExperiment();
    const response = await h.request('POST', `/experiments/${id}/variants`, { parentId: baselineId, ...body });
    expect(response.status).toBe(400);
    expect(errorOf(response.body).code).toBe('bad_request');
  });

  it('refuses a variant before the baseline has completed (409), whatever the status', async () => {
    const { id, baselineId } = await createReadyExperimentVia(h);
    for (const status of ['baseline_pending', 'running_baseline', 'baseline_failed', 'draft'] as const) {
      await h.setStatus(id, status);
      const response = await h.request('POST', `/experiments/${id}/variants`, {
        parentId: baselineId,
        name: 'Too early',
        override: lowerTemperature,
      });
      expect(response.status, status).toBe(409);
      expect(errorOf(response.body).code).toBe('conflict');
      expect(errorOf(response.body).message).toContain('baseline');
    }
    expect((await storedExperiment(h, id)).variants).toHaveLength(1);
  });

  it('refuses a variant in a completed or archived experiment (409)', async () => {
    const { id, baselineId } = await lockedExperiment();
    await h.setStatus(id, 'completed');
    const completed = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Late',
      override: lowerTemperature,
    });
    expect(completed.status).toBe(409);
    expect(errorOf(completed.body).message).toContain('completed');
    await h.setStatus(id, 'archived');
    const archived = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Later',
      override: lowerTemperature,
    });
    expect(archived.status).toBe(409);
    expect(errorOf(archived.body).message).toContain('archived');
  });
});

describe('the effective config of a variant', () => {
  it('is 404 for a variant of another experiment, an unknown variant and a non-UUID id', async () => {
    const { id } = await lockedExperiment('Here');
    const elsewhere = await lockedExperiment('Elsewhere');
    for (const vid of [elsewhere.baselineId, randomUUID(), 'baseline']) {
      const response = await h.request('GET', `/experiments/${id}/variants/${vid}/config`);
      expect(response.status, vid).toBe(404);
      expect(errorOf(response.body).code).toBe('not_found');
    }
  });
});

describe('completing an experiment', () => {
  it('completes with a winner whose run completed, recording when and who', async () => {
    const { id, baselineId } = await lockedExperiment();
    const variant = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Winner',
      override: lowerTemperature,
    });
    await h.setVariantStatus(variant.body.id, 'completed');
    await h.setStatus(id, 'idle');
    const response = await h.request('POST', `/experiments/${id}/complete`, { winnerVariantId: variant.body.id });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'completed', winnerVariantId: variant.body.id });
    expect(new Date(response.body.completedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(response.body.events[0]).toMatchObject({
      kind: 'complete',
      fromStatus: 'idle',
      toStatus: 'completed',
      actor: expect.stringContaining('key:'),
    });
  });

  it('completes without a winner, and may name the baseline', async () => {
    const plain = await lockedExperiment();
    const none = await h.request('POST', `/experiments/${plain.id}/complete`);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ status: 'completed', winnerVariantId: null });

    const keep = await lockedExperiment();
    const baseline = await h.request('POST', `/experiments/${keep.id}/complete`, { winnerVariantId: keep.baselineId });
    expect(baseline.status).toBe(200);
    expect(baseline.body.winnerVariantId).toBe(keep.baselineId);
  });

  it('refuses a winner that is not a completed variant of this experiment (422) and changes nothing', async () => {
    const { id, baselineId } = await lockedExperiment();
    const elsewhere = await lockedExperiment('Elsewhere');
    const draft = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Never run',
      override: lowerTemperature,
    });
    const failed = await h.request('POST', `/experiments/${id}/variants`, {
      parentId: baselineId,
      name: 'Failed',
      override: { ...lowerTemperature, value: 0.1 },
    });
    await h.setVariantStatus(failed.body.id, 'failed');
    const before = await storedExperiment(h, id);
    for (const winnerVariantId of [draft.body.id, failed.body.id, elsewhere.baselineId, randomUUID(), 'the-good-one']) {
      const response = await h.request('POST', `/experiments/${id}/complete`, { winnerVariantId });
      expect(response.status, winnerVariantId).toBe(422);
      expect(errorOf(response.body).details).toEqual([{ path: 'winnerVariantId', message: expect.any(String) }]);
    }
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it('refuses to complete before the baseline completed, while running, or twice (409)', async () => {
    const { id, baselineId } = await createReadyExperimentVia(h);
    for (const status of ['draft', 'baseline_pending', 'running_baseline', 'baseline_failed', 'running_variant'] as const) {
      await h.setStatus(id, status);
      const response = await h.request('POST', `/experiments/${id}/complete`, {});
      expect(response.status, status).toBe(409);
      expect(errorOf(response.body).code).toBe('invalid_transition');
    }
    await h.setStatus(id, 'baseline_complete');
    await h.setVariantStatus(baselineId, 'completed');
    expect((await h.request('POST', `/experiments/${id}/complete`, {})).status).toBe(200);
    const twice = await h.request('POST', `/experiments/${id}/complete`, {});
    expect(twice.status).toBe(409);
    expect(errorOf(twice.body).message).toContain('already completed');
  });

  it('refuses an unknown key or a non-string winner with 400', async () => {
    const { id } = await lockedExperiment();
    expect((await h.request('POST', `/experiments/${id}/complete`, { winner: 'x' })).status).toBe(400);
    expect((await h.request('POST', `/experiments/${id}/complete`, { winnerVariantId: 7 })).status).toBe(400);
    expect((await storedExperiment(h, id)).experiment!.status).toBe('baseline_complete');
  });
});

describe('archiving an experiment', () => {
  it('archives from any status that is not running, recording when', async () => {
    for (const status of ['draft', 'baseline_pending', 'baseline_complete', 'baseline_failed', 'idle', 'completed'] as const) {
      const { id } = await createReadyExperimentVia(h, status);
      await h.setStatus(id, status);
      const response = await h.request('POST', `/experiments/${id}/archive`);
      expect(response.status, status).toBe(200);
      expect(response.body.status).toBe('archived');
      expect(response.body.archivedAt).toEqual(expect.any(String));
      expect(response.body.events[0]).toMatchObject({ kind: 'archive', fromStatus: status, toStatus: 'archived' });
    }
  });

  it('refuses to archive while a run is going, or twice (409)', async () => {
    const { id } = await lockedExperiment();
    for (const status of ['running_baseline', 'running_variant'] as const) {
      await h.setStatus(id, status);
      const response = await h.request('POST', `/experiments/${id}/archive`);
      expect(response.status, status).toBe(409);
      expect(errorOf(response.body).message).toContain('running');
    }
    await h.setStatus(id, 'idle');
    expect((await h.request('POST', `/experiments/${id}/archive`)).status).toBe(200);
    const twice = await h.request('POST', `/experiments/${id}/archive`);
    expect(twice.status).toBe(409);
    expect(errorOf(twice.body).message).toContain('already archived');
  });

  it('refuses a body with keys (400)', async () => {
    const { id } = await lockedExperiment();
    const response = await h.request('POST', `/experiments/${id}/archive`, { force: true });
    expect(response.status).toBe(400);
    expect((await storedExperiment(h, id)).experiment!.status).toBe('baseline_complete');
  });
});
