import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  completeBaselineVia,
  createExperimentVia,
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

describe('authentication', () => {
  it('answers 401 in the error shape without a key or with a wrong one, on every route', async () => {
    const id = await createExperimentVia(h);
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/experiments'],
      ['POST', '/experiments', { name: 'x' }],
      ['GET', `/experiments/${id}`],
      ['PATCH', `/experiments/${id}`, { name: 'y' }],
      ['PUT', `/experiments/${id}/baseline`, { config: {} }],
      ['POST', `/experiments/${id}/variants`, { parentId: randomUUID(), name: 'v', override: {} }],
      ['GET', `/experiments/${id}/variants/${randomUUID()}/config`],
      ['POST', `/experiments/${id}/complete`, {}],
      ['POST', `/experiments/${id}/archive`, {}],
    ];
    for (const [method, path, body] of calls) {
      for (const key of [null, 'not-a-key']) {
        const response = await h.request(method, path, body, key);
        expect(response.status, `${method} ${path} key=${key}`).toBe(401);
        expect(errorOf(response.body).code).toBe('unauthorized');
      }
    }
    const stored = await storedExperiment(h, id);
    expect(stored.experiment).toMatchObject({ name: 'Tone test', status: 'draft' });
  });
});

describe('creating and listing experiments', () => {
  it('creates a draft experiment (201) with a trimmed name and logs who did it', async () => {
    const response = await h.request('POST', '/experiments', {
      name: '  Shorter replies  ',
      description: 'Does a lower temperature help?',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: 'Shorter replies',
      description: 'Does a lower temperature help?',
      status: 'draft',
      lockedAt: null,
      steps: [],
      taskIds: [],
      taskCount: 0,
      variants: [],
      baselineConfig: {},
      winnerVariantId: null,
    });
    expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.events).toEqual([expect.objectContaining({ kind: 'created', actor: expect.stringContaining('key:') })]);
  });

  it.each([
    ['a missing name', {}],
    ['a blank name', { name: '   ' }],
    ['a name over 200 characters', { name: 'x'.repeat(201) }],
    ['a name that is not a string', { name: 42 }],
    ['an unknown key', { name: 'ok', owner: 'me' }],
    ['a description that is not a string', { name: 'ok', description: ['no'] }],
    ['a NUL character', { name: 'bad\u0000name' }],
    ['an unpaired surrogate', { name: 'ok', description: 'half \ud800 a pair' }],
    ['an array body', [{ name: 'ok' }]],
    ['a null body', null],
  ])('refuses %s with 400', async (_, body) => {
    const before = await h.db
      .selectFrom('experiments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const response = await h.request('POST', '/experiments', body === null ? 'null' : body);
    expect(response.status).toBe(400);
    expect(errorOf(response.body).code).toBe('bad_request');
    expect(errorOf(response.body).message).toEqual(expect.any(String));
    const after = await h.db
      .selectFrom('experiments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await h.request('POST', '/experiments', '{"name": "unterminated');
    expect(response.status).toBe(400);
    expect(errorOf(response.body).code).toBe('bad_request');
  });

  it('lists newest first with counts, hides archived unless asked, filters by status, and only shows the own project', async () => {
    const other = await startListFixture();
    const list = await h.request('GET', '/experiments');
    expect(list.status).toBe(200);
    const ids = list.body.experiments.map((e: any) => e.id);
    expect(ids.indexOf(other.newer)).toBeLessThan(ids.indexOf(other.older));
    expect(ids).not.toContain(other.archived);
    expect(ids).not.toContain(other.ofProjectB);
    const ready = list.body.experiments.find((e: any) => e.id === other.older);
    expect(ready).toMatchObject({
      status: 'baseline_pending',
      taskCount: h.projects.a.taskIds.length,
      stepIds: ['classifier', 'response_generator'],
      variantCount: 1,
    });
    expect(ready.latestRun).toMatchObject({ id: other.runId, status: 'completed', isBaseline: true, total: 5, number: 1 });
    expect(list.body.experiments.find((e: any) => e.id === other.newer)).toMatchObject({
      taskCount: 0,
      stepIds: [],
      variantCount: 0,
      latestRun: null,
    });

    const withArchived = await h.request('GET', '/experiments?archived=true');
    expect(withArchived.body.experiments.map((e: any) => e.id)).toEqual(expect.arrayContaining([other.archived, other.newer, other.older]));

    const onlyArchived = await h.request('GET', '/experiments?status=archived');
    expect(onlyArchived.body.experiments.map((e: any) => e.id)).toEqual([other.archived]);

    const pending = await h.request('GET', '/experiments?status=baseline_pending');
    expect(pending.body.experiments.every((e: any) => e.status === 'baseline_pending')).toBe(true);
    expect(pending.body.experiments.map((e: any) => e.id)).toContain(other.older);

    const b = await h.request('GET', '/experiments?archived=true', undefined, h.projects.b.apiKey);
    expect(b.body.experiments.map((e: any) => e.id)).toEqual([other.ofProjectB]);
  });

  it.each(['?status=sleeping', '?archived=maybe', '?status=draft&status=idle'])('refuses the query %s with 400', async (query) => {
    const response = await h.request('GET', `/experiments${query}`);
    expect(response.status).toBe(400);
    expect(errorOf(response.body).code).toBe('bad_request');
  });
});

async function startListFixture() {
  const older = await createReadyExperimentVia(h, 'Older');
  const runId = randomUUID();
  await h.db
    .insertInto('runs')
    .values({
      id: runId,
      experiment_id: older.id,
      variant_id: older.baselineId,
      number: 1,
      is_baseline: true,
      status: 'completed',
      concurrency: 10,
      repeats: 1,
      trace_timeout_seconds: 300,
      config: JSON.stringify({}),
      total: 5,
      workflow_id: `list-test-${runId}`,
    })
    .execute();
  const archived = await createExperimentVia(h, 'Archived');
  expect((await h.request('POST', `/experiments/${archived}/archive`)).status).toBe(200);
  const newer = await createExperimentVia(h, 'Newer');
  const ofProjectB = await createExperimentVia(h, 'Of project B', h.projects.b.apiKey);
  return { older: older.id, newer, archived, ofProjectB, runId };
}

describe('selecting steps and tasks (PATCH)', () => {
  it('walks draft → baseline_pending → draft through the API, logging each move with its actor', async () => {
    const id = await createExperimentVia(h);
    const stepsOnly = await h.request('PATCH', `/experiments/${id}`, { inferenceSteps: ['response_generator', 'classifier'] });
    expect(stepsOnly.status).toBe(200);
    expect(stepsOnly.body).toMatchObject({
      status: 'draft',
      stepIds: ['response_generator', 'classifier'],
      steps: [
        { externalId: 'response_generator', title: 'Response generator', type: 'llm' },
        { externalId: 'classifier', title: 'Classifier', type: 'llm' },
      ],
    });

    const tasks = h.projects.a.taskIds.slice(0, 3).reverse();
    const selected = await h.request('PATCH', `/experiments/${id}`, { taskIds: tasks });
    expect(selected.status).toBe(200);
    expect(selected.body).toMatchObject({ status: 'baseline_pending', taskIds: tasks, taskCount: 3 });

    const cleared = await h.request('PATCH', `/experiments/${id}`, { taskIds: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ status: 'draft', taskIds: [], taskCount: 0 });

    const moves = cleared.body.events.filter((e: any) => e.toStatus !== null).reverse();
    expect(moves.map((e: any) => [e.kind, e.fromStatus, e.toStatus])).toEqual([
      ['select', 'draft', 'baseline_pending'],
      ['clear_selection', 'baseline_pending', 'draft'],
    ]);
    expect(moves.every((e: any) => e.actor.startsWith('key:'))).toBe(true);
  });

  it('renames and describes without touching the selection', async () => {
    const { id } = await createReadyExperimentVia(h);
    const response = await h.request('PATCH', `/experiments/${id}`, { name: 'Renamed', description: 'Now with a description' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: 'Renamed',
      description: 'Now with a description',
      status: 'baseline_pending',
      taskCount: 5,
    });
  });

  it('drops the baseline parameters of a step taken out of scope', async () => {
    const { id } = await createReadyExperimentVia(h);
    const response = await h.request('PATCH', `/experiments/${id}`, { inferenceSteps: ['classifier', 'retriever'] });
    expect(response.status).toBe(200);
    expect(response.body.baselineConfig).toEqual({ classifier: testBaseline.classifier });
    expect(response.body.variants[0].effectiveConfig).toEqual({ classifier: testBaseline.classifier });
  });

  it('refuses unknown steps with 422 listing them, and changes nothing', async () => {
    const { id } = await createReadyExperimentVia(h);
    const before = await storedExperiment(h, id);
    // `summarizer` exists, but in project B.
    const response = await h.request('PATCH', `/experiments/${id}`, {
      name: 'Not applied',
      inferenceSteps: ['classifier', 'summarizer', 'nope'],
    });
    expect(response.status).toBe(422);
    const error = errorOf(response.body);
    expect(error.code).toBe('unprocessable');
    expect(error.message).toContain('"summarizer"');
    expect(error.message).toContain('"nope"');
    expect(error.details).toEqual([
      { path: 'inferenceSteps.1', message: expect.stringContaining('summarizer') },
      { path: 'inferenceSteps.2', message: expect.stringContaining('nope') },
    ]);
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it("refuses unknown tasks (another project's, a random id, not an id at all) with 422 listing them, and changes nothing", async () => {
    const { id } = await createReadyExperimentVia(h);
    const before = await storedExperiment(h, id);
    const stranger = randomUUID();
    const response = await h.request('PATCH', `/experiments/${id}`, {
      taskIds: [h.projects.a.taskIds[0], h.projects.b.taskIds[0], stranger, 'task-42'],
    });
    expect(response.status).toBe(422);
    const error = errorOf(response.body);
    expect(error.code).toBe('unprocessable');
    for (const unknown of [h.projects.b.taskIds[0]!, stranger, 'task-42']) expect(error.message).toContain(unknown);
    expect(error.details.map((d: any) => d.path)).toEqual(['taskIds.1', 'taskIds.2', 'taskIds.3']);
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it('refuses repeated tasks and steps with 422', async () => {
    const id = await createExperimentVia(h);
    const [first, second] = h.projects.a.taskIds;
    const tasks = await h.request('PATCH', `/experiments/${id}`, { taskIds: [first, second, first] });
    expect(tasks.status).toBe(422);
    expect(errorOf(tasks.body).details).toEqual([{ path: 'taskIds.2', message: expect.stringContaining(first!) }]);
    const steps = await h.request('PATCH', `/experiments/${id}`, { inferenceSteps: ['classifier', 'classifier'] });
    expect(steps.status).toBe(422);
    expect(errorOf(steps.body).message).toContain('"classifier"');
    expect((await storedExperiment(h, id)).steps).toEqual([]);
  });

  it('refuses more than 10,000 tasks with 422', async () => {
    const id = await createExperimentVia(h);
    const taskIds = Array.from({ length: 10_001 }, () => randomUUID());
    const response = await h.request('PATCH', `/experiments/${id}`, { taskIds });
    expect(response.status).toBe(422);
    expect(errorOf(response.body).message).toContain('10,000');
  });

  it.each([
    ['an empty body', {}],
    ['an unknown key', { name: 'x', status: 'completed' }],
    ['taskIds that is not an array', { taskIds: 'all' }],
    ['an empty task id', { taskIds: [''] }],
    ['a step id that is not a string', { inferenceSteps: [1] }],
    ['a blank name', { name: '' }],
  ])('refuses %s with 400', async (_, body) => {
    const id = await createExperimentVia(h);
    const before = await storedExperiment(h, id);
    const response = await h.request('PATCH', `/experiments/${id}`, body);
    expect(response.status).toBe(400);
    expect(errorOf(response.body).code).toBe('bad_request');
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it('lets a failed baseline be edited, staying baseline_failed, and back to draft when emptied', async () => {
    const { id } = await createReadyExperimentVia(h);
    await h.setStatus(id, 'baseline_failed');
    const fewer = await h.request('PATCH', `/experiments/${id}`, { taskIds: h.projects.a.taskIds.slice(0, 2) });
    expect(fewer.status).toBe(200);
    expect(fewer.body).toMatchObject({ status: 'baseline_failed', taskCount: 2 });
    const emptied = await h.request('PATCH', `/experiments/${id}`, { inferenceSteps: [] });
    expect(emptied.body).toMatchObject({ status: 'draft', stepIds: [], baselineConfig: {} });
  });
});

describe('the baseline configuration (PUT)', () => {
  it('creates the baseline variant once and replaces its configuration', async () => {
    const id = await createExperimentVia(h);
    await h.request('PATCH', `/experiments/${id}`, { inferenceSteps: ['classifier', 'response_generator'], taskIds: h.projects.a.taskIds });
    const first = await h.request('PUT', `/experiments/${id}/baseline`, { config: testBaseline });
    expect(first.status).toBe(200);
    expect(first.body.baselineConfig).toEqual(testBaseline);
    expect(first.body.variants).toEqual([
      expect.objectContaining({
        isBaseline: true,
        name: 'Baseline',
        parentId: null,
        override: null,
        change: null,
        status: 'draft',
        effectiveConfig: testBaseline,
        children: [],
      }),
    ]);

    const replaced = await h.request('PUT', `/experiments/${id}/baseline`, { config: { classifier: { temperature: 0.2 } } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.baselineConfig).toEqual({ classifier: { temperature: 0.2 } });
    expect(replaced.body.variants).toHaveLength(1);
    expect(replaced.body.variants[0].id).toBe(first.body.variants[0].id);
    const stored = await storedExperiment(h, id);
    expect(stored.variants.filter((v) => v.is_baseline)).toHaveLength(1);
    expect(stored.experiment!.status).toBe('baseline_pending');
  });

  it.each([
    ['a step out of scope', { retriever: { temperature: 0.1 } }, 'retriever'],
    ['a step of no one', { translator: { model: 'x' } }, 'translator'],
    ['an unknown parameter', { classifier: { temperature: 0.1, seed: 7 } }, 'seed'],
    ['a temperature above 2', { classifier: { temperature: 3 } }, 'temperature'],
    ['a top_p of 0', { classifier: { top_p: 0 } }, 'top_p'],
    ['a fractional max_tokens', { classifier: { max_tokens: 1.5 } }, 'max_tokens'],
    ['an unknown verbosity', { classifier: { verbosity: 'loud' } }, 'verbosity'],
    ['a blank system prompt', { classifier: { system: '  ' } }, 'system'],
    ['parameters that are not an object', { classifier: 'fast' }, 'classifier'],
    ['a prototype key', JSON.parse('{"__proto__": {"temperature": 1}}'), '__proto__'],
  ])('refuses %s with 422, naming it, and changes nothing', async (_, config, named) => {
    const { id } = await createReadyExperimentVia(h);
    const before = await storedExperiment(h, id);
    const response = await h.request('PUT', `/experiments/${id}/baseline`, JSON.stringify({ config }));
    expect(response.status).toBe(422);
    expect(errorOf(response.body).code).toBe('unprocessable');
    expect(errorOf(response.body).message).toContain(named);
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it.each([
    ['a missing config', {}],
    ['a config that is not an object', { config: 'fast' }],
    ['an unknown key', { config: {}, steps: [] }],
    ['a NUL in a system prompt', { config: { classifier: { system: 'be \u0000 brief' } } }],
  ])('refuses %s with 400', async (_, body) => {
    const { id } = await createReadyExperimentVia(h);
    const before = await storedExperiment(h, id);
    const response = await h.request('PUT', `/experiments/${id}/baseline`, body);
    expect(response.status).toBe(400);
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it('refuses an absurdly nested value cleanly, not with a 500', async () => {
    const { id } = await createReadyExperimentVia(h);
    const nested = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const response = await h.request('PUT', `/experiments/${id}/baseline`, `{"config": {"classifier": {"system": ${nested}}}}`);
    expect(response.status).toBe(422);
  });
});

describe('locks', () => {
  it('refuses selection and baseline changes once the baseline completed: 409 locked, saying since when', async () => {
    const experiment = await createReadyExperimentVia(h);
    const lockedAt = await completeBaselineVia(h, experiment);
    for (const status of ['baseline_complete', 'running_variant', 'idle', 'completed'] as const) {
      await h.setStatus(experiment.id, status);
      const before = await storedExperiment(h, experiment.id);
      const attempts = [
        await h.request('PATCH', `/experiments/${experiment.id}`, { taskIds: h.projects.a.taskIds.slice(0, 1) }),
        await h.request('PATCH', `/experiments/${experiment.id}`, { inferenceSteps: ['classifier'] }),
        await h.request('PATCH', `/experiments/${experiment.id}`, { name: 'Also not applied', taskIds: [] }),
        await h.request('PUT', `/experiments/${experiment.id}/baseline`, { config: { classifier: { temperature: 1 } } }),
      ];
      for (const response of attempts) {
        expect(response.status, status).toBe(409);
        const error = errorOf(response.body);
        expect(error.code).toBe('locked');
        expect(error.message).toContain('locked');
        expect(error.message).toContain(lockedAt.toISOString());
        expect(error.details).toMatchObject({ lockedAt: lockedAt.toISOString() });
      }
      expect(await storedExperiment(h, experiment.id)).toEqual(before);
    }
  });

  it('refuses the lock check before validating the ids', async () => {
    const experiment = await createReadyExperimentVia(h);
    await completeBaselineVia(h, experiment);
    const response = await h.request('PATCH', `/experiments/${experiment.id}`, { taskIds: ['not-a-task'] });
    expect(response.status).toBe(409);
    expect(errorOf(response.body).code).toBe('locked');
  });

  it('still allows renaming a locked or running experiment', async () => {
    const experiment = await createReadyExperimentVia(h);
    await completeBaselineVia(h, experiment);
    const renamed = await h.request('PATCH', `/experiments/${experiment.id}`, { name: 'Locked but renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Locked but renamed', status: 'baseline_complete' });
    await h.setStatus(experiment.id, 'running_variant');
    const described = await h.request('PATCH', `/experiments/${experiment.id}`, { description: 'while running' });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ description: 'while running', status: 'running_variant' });
  });

  it('refuses selection and baseline changes with 409 while the baseline runs', async () => {
    const { id } = await createReadyExperimentVia(h);
    await h.setStatus(id, 'running_baseline');
    const before = await storedExperiment(h, id);
    const patch = await h.request('PATCH', `/experiments/${id}`, { taskIds: h.projects.a.taskIds.slice(0, 1) });
    const put = await h.request('PUT', `/experiments/${id}/baseline`, { config: {} });
    for (const response of [patch, put]) {
      expect(response.status).toBe(409);
      expect(errorOf(response.body).code).toBe('conflict');
      expect(errorOf(response.body).message).toMatch(/running/);
    }
    expect(await storedExperiment(h, id)).toEqual(before);
  });

  it('makes an archived experiment read-only (409) but still readable', async () => {
    const { id } = await createReadyExperimentVia(h);
    const archived = await h.request('POST', `/experiments/${id}/archive`);
    expect(archived.status).toBe(200);
    const before = await storedExperiment(h, id);
    const attempts = [
      await h.request('PATCH', `/experiments/${id}`, { name: 'Renamed' }),
      await h.request('PATCH', `/experiments/${id}`, { taskIds: [] }),
      await h.request('PUT', `/experiments/${id}/baseline`, { config: {} }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(409);
      expect(errorOf(response.body).code).toBe('conflict');
      expect(errorOf(response.body).message).toContain('archived');
    }
    expect(await storedExperiment(h, id)).toEqual(before);
    const read = await h.request('GET', `/experiments/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('archived');
  });
});

describe('keys that could reach a prototype', () => {
  it('refuses "__proto__" as a body key with 400', async () => {
    const created = await h.request('POST', '/experiments', '{"name": "x", "__proto__": {"status": "completed"}}');
    expect(created.status).toBe(400);
    const { id } = await createReadyExperimentVia(h);
    const patched = await h.request('PATCH', `/experiments/${id}`, '{"__proto__": {"name": "y"}}');
    expect(patched.status).toBe(400);
    expect((await h.request('GET', `/experiments/${id}`)).body.name).toBe('Ready');
  });
});
