import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { createProject } from './project-repository.js';
import { createReferenceHost, type ReferenceHost } from './reference-host.js';
import type { HostPlugin } from './host-env.js';

let database: TestDatabase;
let host: ReferenceHost<HostPlugin>;
let key: string;
let otherKey: string;

beforeAll(async () => {
  database = await createTestDatabase('host_api');
  host = await createReferenceHost({ databaseUrl: database.url, baseUrl: 'http://localhost:3000', allowProjectCreation: true });
  key = (await createProject(host.db, { name: 'Support bot' })).apiKey;
  otherKey = (await createProject(host.db, { name: 'Other team' })).apiKey;
});
afterAll(async () => {
  await host?.close();
  await database?.drop();
});

const json = (apiKey: string | null, method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const get = (apiKey: string) => ({ headers: { 'x-api-key': apiKey } });

describe('projects and API keys', () => {
  it('creates a project over HTTP and shows its key once; the key then authenticates', async () => {
    const created = await host.app.request('/api/projects', json(null, 'POST', { name: 'Scratch' }));
    expect(created.status).toBe(201);
    const project = (await created.json()) as { id: string; apiKey: string; apiKeyPrefix: string };
    expect(project.apiKey).toMatch(/^hk_[A-Za-z0-9_-]{32}$/);
    expect(project.apiKey.startsWith(project.apiKeyPrefix)).toBe(true);

    const me = await host.app.request('/api/project', get(project.apiKey));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ id: project.id, name: 'Scratch', apiKeyPrefix: project.apiKeyPrefix });
  });

  it('stores only a hash of the key', async () => {
    const rows = await host.db.selectFrom('projects').select(['api_key_hash', 'api_key_prefix']).execute();
    for (const row of rows) {
      expect(row.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.api_key_hash).not.toContain(key);
    }
  });

  it('createProject with a fixed key is idempotent', async () => {
    const first = await createProject(host.db, { name: 'Demo', apiKey: 'demo-key-0123456789' });
    const again = await createProject(host.db, { name: 'Demo', apiKey: 'demo-key-0123456789' });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ id: first.id, created: false });
  });

  it('answers 401 JSON without a key or with a wrong one', async () => {
    for (const init of [{}, get('hk_wrong')]) {
      const response = await host.app.request('/api/tasks', init);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    const ingest = await host.app.request('/v1/traces', json(null, 'POST', { resourceSpans: [] }));
    expect(ingest.status).toBe(401);
  });

  it('creates projects only with the admin token when one is set', async () => {
    const guarded = await createReferenceHost({ databaseUrl: database.url, baseUrl: 'http://localhost:3000', adminToken: 'admin-token-of-this-host' });
    try {
      const create = (headers: Record<string, string>) =>
        guarded.app.request('/api/projects', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'Guarded' }) });
      expect((await create({})).status).toBe(401);
      expect((await create({ authorization: 'Bearer admin-token-of-this-hosT' })).status).toBe(401);
      const created = await create({ authorization: 'Bearer admin-token-of-this-host' });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ name: 'Guarded', apiKey: expect.any(String) });
    } finally {
      await guarded.close();
    }
  });

  it('refuses project creation when it is switched off (the default without a token)', async () => {
    const closed = await createReferenceHost({ databaseUrl: database.url, baseUrl: 'http://localhost:3000' });
    try {
      const response = await closed.app.request('/api/projects', json(null, 'POST', { name: 'Nope' }));
      expect(response.status).toBe(404);
    } finally {
      await closed.close();
    }
  });
});

describe('tasks', () => {
  it('creates a task and reads it back', async () => {
    const body = {
      title: 'Refund for a late order',
      prompt: 'My order #1234 arrived two weeks late. Can I get a refund?',
      metadata: { channel: 'email', tier: 'gold' },
      expected: 'Apologise and offer a refund.',
      evaluations: [
        { type: 'contains', value: 'refund' },
        { type: 'max_latency_ms', value: 5000 },
      ],
    };
    const created = await host.app.request('/api/tasks', json(key, 'POST', body));
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string };
    expect(task).toMatchObject(body);

    const read = await host.app.request(`/api/tasks/${task.id}`, get(key));
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: task.id, ...body });
  });

  it("keeps tasks to their project: another project's id is 404, and so is a malformed id", async () => {
    const created = (await (await host.app.request('/api/tasks', json(key, 'POST', { title: 'Mine', prompt: 'p' }))).json()) as {
      id: string;
    };
    expect((await host.app.request(`/api/tasks/${created.id}`, get(otherKey))).status).toBe(404);
    const malformed = await host.app.request('/api/tasks/not-a-uuid', get(key));
    expect(malformed.status).toBe(404);
    expect(await malformed.json()).toMatchObject({ error: { code: 'not_found' } });
    const list = (await (await host.app.request('/api/tasks?search=Mine', get(otherKey))).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    expect(await host.capabilities.tasks.getMany(await projectIdOf(otherKey), [created.id, 'junk'])).toEqual([]);
    expect((await host.capabilities.tasks.getMany(await projectIdOf(key), [created.id, 'junk'])).map((t) => t.id)).toEqual([created.id]);
  });

  it('searches title and prompt, treating % and _ literally', async () => {
    const { apiKey } = await createProject(host.db, { name: 'Search' });
    for (const [title, prompt] of [
      ['Shipping delay', 'Where is my parcel?'],
      ['Password reset', 'I cannot log in'],
      ['Discount', 'Do you offer 100% off?'],
    ]) {
      await host.app.request('/api/tasks', json(apiKey, 'POST', { title, prompt }));
    }
    const titles = async (search: string) =>
      (
        (await (await host.app.request(`/api/tasks?search=${encodeURIComponent(search)}`, get(apiKey))).json()) as {
          items: Array<{ title: string }>;
        }
      ).items.map((t) => t.title);
    expect(await titles('parcel')).toEqual(['Shipping delay']);
    expect(await titles('PASSWORD')).toEqual(['Password reset']);
    expect(await titles('100%')).toEqual(['Discount']);
    expect(await titles('%')).toEqual(['Discount']);
    expect(await titles('_')).toEqual([]);
  });

  it('pages with an opaque cursor, in creation order, without gaps or repeats', async () => {
    const { apiKey } = await createProject(host.db, { name: 'Paging' });
    for (let i = 0; i < 7; i++) await host.app.request('/api/tasks', json(apiKey, 'POST', { title: `Task ${i}`, prompt: `Prompt ${i}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await host.app.request(`/api/tasks?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, get(apiKey));
      const page = (await response.json()) as { items: Array<{ title: string }>; nextCursor?: string };
      seen.push(...page.items.map((t) => t.title));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `Task ${i}`));

    const viaCapability = await host.capabilities.tasks.list(await projectIdOf(apiKey), { limit: 5, search: 'task' });
    expect(viaCapability.items).toHaveLength(5);
    expect(viaCapability.nextCursor).toBeTypeOf('string');
  });

  it('answers bad input with 4xx JSON, never 500', async () => {
    const cases: Array<[string, RequestInit, number]> = [
      ['/api/tasks', json(key, 'POST', { title: '', prompt: 'x' }), 422],
      ['/api/tasks', json(key, 'POST', { prompt: 'no title' }), 422],
      ['/api/tasks', json(key, 'POST', { title: 't', prompt: 'p', evaluations: [{ value: 'no type' }] }), 422],
      ['/api/tasks', { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{"title": ' }, 400],
      ['/api/tasks', { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'text/plain' }, body: 'hello' }, 415],
      ['/api/tasks', json(key, 'POST', { title: 't', prompt: 'x'.repeat(1_100_000) }), 413],
      ['/api/tasks?limit=201', get(key), 400],
      ['/api/tasks?limit=abc', get(key), 400],
      ['/api/tasks?cursor=garbage', get(key), 400],
      [
        `/api/tasks?cursor=${Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000000Z', "x' or 1=1"])).toString('base64url')}`,
        get(key),
        400,
      ],
    ];
    for (const [path, init, status] of cases) {
      const response = await host.app.request(path, init);
      expect({ path, status: response.status }).toEqual({ path, status });
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.message).toBeTypeOf('string');
    }
  });

  it('refuses absurdly nested metadata', async () => {
    let metadata: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) metadata = { inner: metadata };
    const response = await host.app.request('/api/tasks', json(key, 'POST', { title: 't', prompt: 'p', metadata }));
    expect(response.status).toBe(422);
  });
});

describe('inference steps', () => {
  it('adds steps, updates one by external id, and lists them in order', async () => {
    const { apiKey } = await createProject(host.db, { name: 'Steps' });
    const first = await host.app.request(
      '/api/inference-steps',
      json(apiKey, 'POST', { externalId: 'classifier', title: 'Classifier', type: 'llm' }),
    );
    expect(first.status).toBe(201);
    await host.app.request(
      '/api/inference-steps',
      json(apiKey, 'POST', { externalId: 'response_generator', title: 'Response', type: 'llm' }),
    );
    const update = await host.app.request(
      '/api/inference-steps',
      json(apiKey, 'POST', { externalId: 'response_generator', title: 'Response generator', type: 'llm' }),
    );
    expect(update.status).toBe(200);
    const list = await (await host.app.request('/api/inference-steps', get(apiKey))).json();
    expect(list).toEqual({
      items: [
        { externalId: 'classifier', title: 'Classifier', type: 'llm' },
        { externalId: 'response_generator', title: 'Response generator', type: 'llm' },
      ],
    });
    expect(await host.capabilities.inferenceSteps.list(await projectIdOf(apiKey))).toHaveLength(2);
    expect(await host.capabilities.inferenceSteps.list(await projectIdOf(otherKey))).toEqual([]);
    const bad = await host.app.request('/api/inference-steps', json(apiKey, 'POST', { externalId: 'x', title: 'X', type: 'embedding' }));
    expect(bad.status).toBe(422);
  });
});

describe('webhook', () => {
  it('shows a whsec_ secret on the first PUT only, keeps it on later PUTs, and never on GET', async () => {
    const { apiKey } = await createProject(host.db, { name: 'Hooks' });
    const projectId = await projectIdOf(apiKey);
    expect((await host.app.request('/api/webhook', get(apiKey))).status).toBe(404);
    expect(await host.capabilities.application.get(projectId)).toBeNull();

    const first = (await (
      await host.app.request('/api/webhook', json(apiKey, 'PUT', { url: 'http://localhost:4000/webhook' }))
    ).json()) as { secret: string };
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(first.secret.slice('whsec_'.length), 'base64')).toHaveLength(24);

    const second = await (
      await host.app.request('/api/webhook', json(apiKey, 'PUT', { url: 'http://localhost:4001/hook', headers: { 'x-tenant': 'acme' } }))
    ).json();
    expect(second).toEqual({ url: 'http://localhost:4001/hook', headers: { 'x-tenant': 'acme' } });

    const shown = await host.app.request('/api/webhook', get(apiKey));
    const text = await shown.text();
    expect(JSON.parse(text)).toMatchObject({ url: 'http://localhost:4001/hook', headers: { 'x-tenant': 'acme' } });
    expect(text).not.toContain('whsec_');
    expect(await host.capabilities.application.get(projectId)).toEqual({
      url: 'http://localhost:4001/hook',
      secret: first.secret,
      headers: { 'x-tenant': 'acme' },
    });

    const rotated = (await (
      await host.app.request('/api/webhook', json(apiKey, 'PUT', { url: 'http://localhost:4001/hook', rotateSecret: true }))
    ).json()) as { secret: string };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(first.secret);
    expect((await host.capabilities.application.get(projectId))?.secret).toBe(rotated.secret);
  });

  it('refuses a URL that is not http(s) and headers the signature depends on', async () => {
    for (const body of [
      { url: 'ftp://example.com' },
      { url: 'not a url' },
      { url: 'https://example.com', headers: { 'webhook-signature': 'x' } },
      { url: 'https://e.com', headers: { 'bad header': 'x' } },
    ]) {
      const response = await host.app.request('/api/webhook', json(key, 'PUT', body));
      expect(response.status).toBe(422);
    }
  });
});

async function projectIdOf(apiKey: string) {
  const response = await host.app.request('/api/project', get(apiKey));
  return ((await response.json()) as { id: string }).id;
}
