import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeBaselineVia,
  createReadyExperimentVia,
  startPluginHarness,
  storedExperiment,
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

/** A locked experiment of project A with one variant, so every route has something to reach for. */
async function fullExperiment() {
  const experiment = await createReadyExperimentVia(h, 'Of project A');
  await completeBaselineVia(h, experiment);
  const variant = await h.request('POST', `/experiments/${experiment.id}/variants`, {
    parentId: experiment.baselineId,
    name: 'Cooler',
    override: { step: 'response_generator', parameter: 'temperature', value: 0.3 },
  });
  expect(variant.status).toBe(201);
  await h.setVariantStatus(variant.body.id, 'completed');
  return { ...experiment, variantId: variant.body.id as string };
}

/** Every route that names an experiment (and a variant), with a body that would be valid for project A. */
function routes(id: string, variantId: string, baselineId: string): Array<[string, string, unknown?]> {
  return [
    ['GET', `/experiments/${id}`],
    ['PATCH', `/experiments/${id}`, { name: 'Taken over' }],
    ['PATCH', `/experiments/${id}`, { taskIds: [] }],
    ['PUT', `/experiments/${id}/baseline`, { config: {} }],
    [
      'POST',
      `/experiments/${id}/variants`,
      { parentId: baselineId, name: 'Intruder', override: { step: 'classifier', parameter: 'temperature', value: 1 } },
    ],
    ['GET', `/experiments/${id}/variants/${variantId}/config`],
    ['POST', `/experiments/${id}/complete`, { winnerVariantId: variantId }],
    ['POST', `/experiments/${id}/archive`],
    // Run routes are another file's, but "another project's ids are 404" holds for them too.
    ['GET', `/experiments/${id}/runs`],
    ['POST', `/experiments/${id}/variants/${variantId}/runs`, {}],
  ];
}

describe("another project's ids", () => {
  it('are 404 on every route, and change nothing', async () => {
    const experiment = await fullExperiment();
    const before = await storedExperiment(h, experiment.id);
    for (const [method, path, body] of routes(experiment.id, experiment.variantId, experiment.baselineId)) {
      const response = await h.request(method, path, body, h.projects.b.apiKey);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(errorOf(response.body).code).toBe('not_found');
    }
    expect(await storedExperiment(h, experiment.id)).toEqual(before);
    const list = await h.request('GET', '/experiments?archived=true', undefined, h.projects.b.apiKey);
    expect(list.body.experiments.map((e: any) => e.id)).not.toContain(experiment.id);
  });

  it("are 404 when a variant of project A's experiment is reached through project B's experiment", async () => {
    const ofA = await fullExperiment();
    const created = await h.request('POST', '/experiments', { name: 'Of project B' }, h.projects.b.apiKey);
    const ofB = created.body.id as string;
    const config = await h.request('GET', `/experiments/${ofB}/variants/${ofA.variantId}/config`, undefined, h.projects.b.apiKey);
    expect(config.status).toBe(404);
  });
});

describe('ids that are not UUIDs', () => {
  const notUuids = ['not-a-uuid', '42', '00000000-0000-0000-0000-00000000000g', "1' or '1'='1", '%00'];

  it.each(notUuids)('%s is 404 (never 500) as an experiment id on every route', async (bad) => {
    const experiment = await fullExperiment();
    const id = encodeURIComponent(bad);
    for (const [method, path, body] of routes(id, experiment.variantId, experiment.baselineId)) {
      const response = await h.request(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(errorOf(response.body).code).toBe('not_found');
    }
  });

  it.each(notUuids)('%s is 404 as a variant id', async (bad) => {
    const experiment = await fullExperiment();
    const response = await h.request('GET', `/experiments/${experiment.id}/variants/${encodeURIComponent(bad)}/config`);
    expect(response.status).toBe(404);
    expect(errorOf(response.body).code).toBe('not_found');
  });

  it('an unknown UUID is 404 too, upper case or not', async () => {
    const unknown = randomUUID();
    for (const [method, path, body] of routes(unknown, randomUUID(), randomUUID())) {
      const response = await h.request(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const experiment = await fullExperiment();
    const upper = await h.request('GET', `/experiments/${experiment.id.toUpperCase()}`);
    expect(upper.status).toBe(200);
    expect(upper.body.id).toBe(experiment.id);
  });
});

describe('malformed bodies', () => {
  it('malformed JSON is 400 on every route with a body, and changes nothing', async () => {
    const experiment = await fullExperiment();
    const before = await storedExperiment(h, experiment.id);
    const paths: Array<[string, string]> = [
      ['POST', '/experiments'],
      ['PATCH', `/experiments/${experiment.id}`],
      ['PUT', `/experiments/${experiment.id}/baseline`],
      ['POST', `/experiments/${experiment.id}/variants`],
      ['POST', `/experiments/${experiment.id}/complete`],
      ['POST', `/experiments/${experiment.id}/archive`],
    ];
    for (const [method, path] of paths) {
      for (const text of ['{"name": ', '{name: "x"}', '', 'undefined', '{"a": 1}}']) {
        const response = await h.request(method, path, text);
        expect(response.status, `${method} ${path} ${JSON.stringify(text)}`).toBe(400);
        expect(errorOf(response.body).code).toBe('bad_request');
      }
    }
    expect(await storedExperiment(h, experiment.id)).toEqual(before);
  });

  it('a body over the size limit is 413, not 500', async () => {
    const experiment = await fullExperiment();
    const response = await h.request('PATCH', `/experiments/${experiment.id}`, { description: 'x'.repeat(2 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(errorOf(response.body).code).toBe('payload_too_large');
  });
});

describe('simultaneous requests', () => {
  it('two archives of one experiment: exactly one wins, the other is 409, one event is logged', async () => {
    const { id } = await createReadyExperimentVia(h);
    const responses = await Promise.all([h.request('POST', `/experiments/${id}/archive`), h.request('POST', `/experiments/${id}/archive`)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const stored = await storedExperiment(h, id);
    expect(stored.experiment!.status).toBe('archived');
    expect(stored.events.filter((e) => e.kind === 'archive')).toHaveLength(1);
  });

  it('five completes at once: exactly one wins', async () => {
    const experiment = await fullExperiment();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.request('POST', `/experiments/${experiment.id}/complete`, { winnerVariantId: experiment.variantId }),
      ),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(4);
    const stored = await storedExperiment(h, experiment.id);
    expect(stored.events.filter((e) => e.kind === 'complete')).toHaveLength(1);
  });

  it('a selection edit racing an archive: either the edit lands first or it is refused, never both half-done', async () => {
    for (let round = 0; round < 5; round++) {
      const { id } = await createReadyExperimentVia(h);
      const [patch, archive] = await Promise.all([
        h.request('PATCH', `/experiments/${id}`, { taskIds: [] }),
        h.request('POST', `/experiments/${id}/archive`),
      ]);
      expect(archive.status).toBe(200);
      const stored = await storedExperiment(h, id);
      expect(stored.experiment!.status).toBe('archived');
      if (patch.status === 200) {
        expect(stored.tasks).toEqual([]);
        expect(stored.events.map((e) => e.kind)).toContain('clear_selection');
      } else {
        expect(patch.status).toBe(409);
        expect(stored.tasks).toHaveLength(h.projects.a.taskIds.length);
      }
    }
  });

  it('concurrent selection edits are applied one after the other, each whole', async () => {
    const { id } = await createReadyExperimentVia(h);
    const sets = [h.projects.a.taskIds.slice(0, 1), h.projects.a.taskIds.slice(1, 4), h.projects.a.taskIds.slice(2)];
    const responses = await Promise.all(sets.map((taskIds) => h.request('PATCH', `/experiments/${id}`, { taskIds })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const stored = await storedExperiment(h, id);
    expect(sets.map((set) => JSON.stringify(set))).toContain(JSON.stringify(stored.tasks.map((t) => t.task_id)));
    expect(stored.tasks.map((t) => t.position)).toEqual(stored.tasks.map((_, index) => index));
  });
});
