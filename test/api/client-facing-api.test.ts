import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeBaselineVia,
  createReadyExperimentVia,
  startPluginHarness,
  storedExperiment,
  type PluginHarness,
} from '../helpers/plugin-harness.js';

// What a client other than the tab (the `experiments` command) needs of the JSON API: the project's tasks and
// steps, runs named as the rest of the API names things, and variants it can find again by name.

let h: PluginHarness;

beforeAll(async () => {
  h = await startPluginHarness({ tasksPerProject: 7 });
});
afterAll(async () => {
  await h?.close();
});

const errorOf = (body: any) => body?.error as { code: string; message: string; details?: Array<{ path: string; message: string }> };

describe("the project's catalog", () => {
  it("lists the caller's tasks page by page, and only the caller's", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: { status: number; body: any } = await h.request('GET', `/tasks?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(3);
      for (const item of response.body.items) expect(Object.keys(item).sort()).toEqual(['id', 'title']);
      seen.push(...response.body.items.map((task: { id: string }) => task.id));
      cursor = response.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...h.projects.a.taskIds].sort());

    const ofB = await h.request('GET', '/tasks', undefined, h.projects.b.apiKey);
    expect(ofB.body.items.map((task: { id: string }) => task.id).sort()).toEqual([...h.projects.b.taskIds].sort());
    expect(ofB.body.nextCursor).toBeNull();
  });

  it('finds tasks by a search', async () => {
    const response = await h.request('GET', `/tasks?search=${encodeURIComponent('Project A task 7')}`);
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([{ id: h.projects.a.taskIds[6], title: 'Project A task 7' }]);
  });

  it.each(['limit=0', 'limit=201', 'limit=ten', `search=${'x'.repeat(201)}`, 'cursor=garbage'])('refuses the query %s with 400', async (query) => {
    const response = await h.request('GET', `/tasks?${query}`);
    expect(response.status).toBe(400);
    expect(errorOf(response.body).code).toBe('bad_request');
  });

  it("lists the caller's inference steps", async () => {
    const a = await h.request('GET', '/inference-steps');
    expect(a.status).toBe(200);
    expect(a.body.steps).toEqual([
      { externalId: 'classifier', title: 'Classifier', type: 'llm' },
      { externalId: 'response_generator', title: 'Response generator', type: 'llm' },
      { externalId: 'retriever', title: 'Retriever', type: 'retriever' },
    ]);
    const b = await h.request('GET', '/inference-steps', undefined, h.projects.b.apiKey);
    expect(b.body.steps.map((step: { externalId: string }) => step.externalId)).toEqual(['classifier', 'summarizer']);
  });

  it('lists no task sources on a host without them (the Phoenix host lists its datasets: test/phoenix/phoenix-cli.test.ts)', async () => {
    const response = await h.request('GET', '/task-sources');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sources: [] });
  });

  it('answers 401 without a key', async () => {
    for (const path of ['/tasks', '/task-sources', '/inference-steps']) {
      const response = await h.request('GET', path, undefined, null);
      expect(response.status).toBe(401);
      expect(errorOf(response.body).code).toBe('unauthorized');
    }
  });
});

describe('the runs of an experiment', () => {
  it('are listed in camelCase, as every other answer of the API', async () => {
    const experiment = await createReadyExperimentVia(h, 'Runs listed');
    const runId = randomUUID();
    await h.db
      .insertInto('runs')
      .values({
        id: runId,
        experiment_id: experiment.id,
        variant_id: experiment.baselineId,
        number: 1,
        is_baseline: true,
        status: 'completed',
        concurrency: 10,
        repeats: 1,
        trace_timeout_seconds: 300,
        config: JSON.stringify({}),
        total: 5,
        workflow_id: `runs-listed-${runId}`,
      })
      .execute();
    const response = await h.request('GET', `/experiments/${experiment.id}/runs`);
    expect(response.status).toBe(200);
    expect(response.body.runs).toHaveLength(1);
    const [run] = response.body.runs;
    expect(Object.keys(run).sort()).toEqual(['createdAt', 'finishedAt', 'id', 'isBaseline', 'number', 'status', 'total', 'variantId']);
    expect(run).toMatchObject({ id: runId, variantId: experiment.baselineId, number: 1, isBaseline: true, status: 'completed', total: 5 });
    expect(new Date(run.createdAt).getTime()).not.toBeNaN();
  });
});

describe('variant names', () => {
  it('are unique within an experiment: a taken name is refused with 409 at the name, and nothing changes', async () => {
    const experiment = await createReadyExperimentVia(h, 'Unique names');
    await completeBaselineVia(h, experiment);
    const created = await h.request('POST', `/experiments/${experiment.id}/variants`, {
      parentId: experiment.baselineId,
      name: 'Cooler',
      override: { step: 'response_generator', parameter: 'temperature', value: 0.3 },
    });
    expect(created.status).toBe(201);
    const before = await storedExperiment(h, experiment.id);

    // The same name with another change, under another parent: still refused.
    for (const [parentId, name] of [
      [created.body.id, 'Cooler'],
      [experiment.baselineId, 'Cooler'],
      [experiment.baselineId, 'Baseline'],
    ] as const) {
      const again = await h.request('POST', `/experiments/${experiment.id}/variants`, {
        parentId,
        name,
        override: { step: 'classifier', parameter: 'model', value: 'gpt-4o' },
      });
      expect(again.status, JSON.stringify(again.body)).toBe(409);
      expect(errorOf(again.body)).toMatchObject({ code: 'conflict', details: [{ path: 'name' }] });
      expect(errorOf(again.body).message).toContain(`already has a variant named "${name}"`);
    }
    expect(await storedExperiment(h, experiment.id)).toEqual(before);

    // Another experiment may use the name.
    const other = await createReadyExperimentVia(h, 'Other');
    await completeBaselineVia(h, other);
    const elsewhere = await h.request('POST', `/experiments/${other.id}/variants`, {
      parentId: other.baselineId,
      name: 'Cooler',
      override: { step: 'response_generator', parameter: 'temperature', value: 0.3 },
    });
    expect(elsewhere.status).toBe(201);
  });

  it('two requests racing for one name: one variant is created, the other refused', async () => {
    const experiment = await createReadyExperimentVia(h, 'Racing names');
    await completeBaselineVia(h, experiment);
    const attempt = (value: number) =>
      h.request('POST', `/experiments/${experiment.id}/variants`, {
        parentId: experiment.baselineId,
        name: 'Raced',
        override: { step: 'response_generator', parameter: 'temperature', value },
      });
    const answers = await Promise.all([attempt(0.1), attempt(0.2), attempt(0.3), attempt(0.4)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409]);
    const { variants } = await storedExperiment(h, experiment.id);
    expect(variants.filter((variant) => variant.name === 'Raced')).toHaveLength(1);
  });
});

describe('experiment keys', () => {
  const experimentCount = async (apiKey?: string) =>
    ((await h.request('GET', '/experiments?archived=true', undefined, apiKey)).body.experiments as unknown[]).length;

  it('finds an experiment by the key it was created with, however it is renamed; without a key it is null', async () => {
    const created = await h.request('POST', '/experiments', { name: 'Keyed', key: '  support-bot/classifier  ' });
    expect(created.status).toBe(201);
    expect(created.body.key).toBe('support-bot/classifier');
    expect((await h.request('PATCH', `/experiments/${created.body.id}`, { name: 'Renamed in the tab' })).status).toBe(200);

    const found = await h.request('GET', `/experiments?key=${encodeURIComponent('support-bot/classifier')}`);
    expect(found.status).toBe(200);
    expect(found.body.experiments.map((e: any) => [e.id, e.name, e.key])).toEqual([[created.body.id, 'Renamed in the tab', 'support-bot/classifier']]);
    expect((await h.request('GET', `/experiments/${created.body.id}`)).body.key).toBe('support-bot/classifier');
    expect((await h.request('GET', '/experiments?key=nobody')).body.experiments).toEqual([]);

    const unkeyed = await h.request('POST', '/experiments', { name: 'No key' });
    expect(unkeyed.body.key).toBeNull();
  });

  it('refuses a key in use with 409 naming the experiment that has it, and creates nothing', async () => {
    const first = await h.request('POST', '/experiments', { name: 'First', key: 'taken' });
    expect(first.status).toBe(201);
    const before = await experimentCount();
    const second = await h.request('POST', '/experiments', { name: 'Second', key: 'taken' });
    expect(second.status).toBe(409);
    expect(errorOf(second.body)).toMatchObject({ code: 'conflict', details: [{ path: 'key' }] });
    expect(errorOf(second.body).message).toContain(first.body.id);
    expect(await experimentCount()).toBe(before);

    // Another project may use it; archiving frees it.
    expect((await h.request('POST', '/experiments', { name: 'Of B', key: 'taken' }, h.projects.b.apiKey)).status).toBe(201);
    expect((await h.request('POST', `/experiments/${first.body.id}/archive`, {})).status).toBe(200);
    const again = await h.request('POST', '/experiments', { name: 'After the archive', key: 'taken' });
    expect(again.status).toBe(201);
    const listed = await h.request('GET', '/experiments?key=taken&archived=true');
    expect(listed.body.experiments.map((e: any) => e.id).sort()).toEqual([first.body.id, again.body.id].sort());
  });

  it('lets one of several creates racing for a key win', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map((n) => h.request('POST', '/experiments', { name: `Racer ${n}`, key: 'raced' })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409]);
    expect((await h.request('GET', '/experiments?key=raced')).body.experiments).toHaveLength(1);
  });

  it.each([
    ['blank', '   '],
    ['too long', 'k'.repeat(201)],
    ['not text', 42],
    ['a NUL', 'a\u0000b'],
  ])('refuses a key that is %s with 400', async (_, key) => {
    const before = await experimentCount();
    const response = await h.request('POST', '/experiments', { name: 'Bad key', key });
    expect(response.status).toBe(400);
    expect(errorOf(response.body).code).toBe('bad_request');
    expect(await experimentCount()).toBe(before);
  });

  it('refuses a lookup by a key no experiment can have with 400, never 500', async () => {
    for (const query of [`key=${'k'.repeat(201)}`, 'key=a%00b']) {
      const response = await h.request('GET', `/experiments?${query}`);
      expect(response.status).toBe(400);
    }
  });
});
