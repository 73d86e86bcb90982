import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeEntities } from '../views/html.js';
import { hostileCases } from './hostile-cases.js';
import { api, mount, startHostileFixture, type HostileFixture, type HostileRequest, type HostileResponse } from './hostile-fixture.js';
import { storableStrings } from './hostile-values.js';

/**
 * A generated suite of hostile requests against every route of the plugin, its tab and the reference host
 * (DESIGN §9): each gets its documented 4xx, never a 5xx, and changes nothing in either schema. Odd but valid text
 * is stored exactly and escaped in HTML; webhook secrets appear in no response and no log line.
 */

const cases = hostileCases();

let fx: HostileFixture;
let last: Map<string, string>;
/** Every response body and header block the suite saw, and every console and host log line. */
const seen: string[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(format(...args));
      original(...args);
    });
  }
  // Hundreds of wrong keys are sent on purpose, each expecting its 401: the key-guessing limit has a test of its own.
  fx = await startHostileFixture({ failedKeyLimits: { maxFailures: 100_000, windowSeconds: 60 } });
  last = await fx.snapshot();
});

afterAll(async () => {
  vi.restoreAllMocks();
  await fx?.close();
});

async function send(request: HostileRequest): Promise<HostileResponse> {
  const response = await fx.send(request);
  const headers: string[] = [];
  response.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
  seen.push(response.text, headers.join('\n'));
  return response;
}

/** The tables that changed since the last request, as `schema.table`; `plugin` looks at the plugin's schema only. */
async function changedTables(scope: 'all' | 'plugin'): Promise<string[]> {
  const now = await fx.snapshot();
  const changed = [...now].filter(([table, digest]) => last.get(table) !== digest).map(([table]) => table);
  last = now;
  return scope === 'plugin' ? changed.filter((table) => table.startsWith(`${fx.plugin.config.schema}.`)) : changed;
}

const excerpt = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}…` : text);

describe('generated hostile requests', () => {
  it('number at least 1,000, each named by route and mutation', () => {
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const names = cases.map((c) => `${c.group}: ${c.route} — ${c.mutation}`);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const c of cases) {
    const test = c.knownBug ? it.fails : it;
    test(`${c.group}: ${c.route} — ${c.mutation}${c.knownBug ? ` [known bug: ${c.knownBug}]` : ''}`, async () => {
      const response = await send(c.build(fx));
      const changed = await changedTables(c.unchanged ?? 'all');
      const where = `${c.route} — ${c.mutation}: answered ${response.status} ${excerpt(response.text)}`;
      expect(response.status, where).toBeLessThan(500);
      expect(c.expect, where).toContain(response.status);
      if (!c.html && response.status >= 400) {
        expect(response.json?.error, `${where}\nnot the { error: { code, message } } shape`).toMatchObject({
          code: expect.any(String),
          message: expect.any(String),
        });
      }
      if (!c.mayChange || response.status >= 400) expect(changed, `${where}\nthese tables changed`).toEqual([]);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------

const page = (path: string): HostileRequest => ({ method: 'GET', path, headers: { accept: 'text/html', cookie: `host_session=${fx.sessionToken}` } });
const asA = (method: string, path: string, body?: unknown): HostileRequest => ({
  method,
  path,
  headers: { 'x-api-key': fx.a.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** Odd text comes back as text: never as markup that a browser would run. */
function expectEscaped(html: string, markup: string | undefined, where: string) {
  if (markup) expect(html.includes(markup), `${where}: unescaped ${markup}`).toBe(false);
  expect(html, where).not.toMatch(/<script>alert|<img[^>]*onerror/);
}

describe('odd but valid text', () => {
  for (const s of storableStrings) {
    it(`as an experiment's name and description (${s.name}) round-trips exactly and is escaped in every page`, async () => {
      const created = await send(asA('POST', `${api}/experiments`, { name: s.value, description: s.value }));
      expect(created.status, created.text).toBe(201);
      const id = created.json.id as string;
      const read = await send(asA('GET', `${api}/experiments/${id}`));
      expect(read.json.name).toBe(s.value.trim());
      expect(read.json.description).toBe(s.value);

      for (const path of [`${mount}/experiments/${id}`, `${mount}/`, `${mount}/experiments/${id}/setup/describe`]) {
        const html = await send(page(path));
        expect(html.status, path).toBe(200);
        expectEscaped(html.text, s.markup, path);
        expect(decodeEntities(html.text), `${path} shows the name as given`).toContain(s.value.trim());
      }
      const markdown = await send(asA('GET', `${api}/experiments/${id}/results.md`));
      expect(markdown.status).toBe(200);
      // Markdown passes raw HTML through, so every "<" of the name must come back escaped as "\\<".
      expect(markdown.text).not.toMatch(/(?<!\\)<(script|img)/);
      const csv = await send(asA('GET', `${api}/experiments/${id}/results.csv`));
      expect(csv.status).toBe(200);
      // The digest sees what an accepted request stored, so "nothing changed" above is a real check.
      expect(await changedTables('all')).toContain(`${fx.plugin.config.schema}.experiments`);
    });

    it(`as a host task's title and prompt (${s.name}) round-trips exactly and is escaped in the pages`, async () => {
      const created = await send(asA('POST', '/api/tasks', { title: s.value, prompt: s.value }));
      expect(created.status, created.text).toBe(201);
      const read = await send(asA('GET', `/api/tasks/${created.json.id}`));
      expect(read.json.title).toBe(s.value.trim());
      expect(read.json.prompt).toBe(s.value);
      for (const path of ['/tasks', `${mount}/experiments/${fx.experiments.draft.id}/setup/tasks`]) {
        const html = await send(page(path));
        expect(html.status, path).toBe(200);
        expectEscaped(html.text, s.markup, path);
      }
      await changedTables('all');
    });
  }

  it('a formula in a name is defused in the CSV export', async () => {
    const created = await send(asA('POST', `${api}/experiments`, { name: '=HYPERLINK("http://evil.example","x")' }));
    expect(created.status).toBe(201);
    await send(asA('PATCH', `${api}/experiments/${created.json.id}`, { inferenceSteps: ['classifier'], taskIds: [fx.a.taskIds[0]] }));
    const csv = await send(asA('GET', `${api}/experiments/${created.json.id}/results.csv`));
    expect(csv.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    await changedTables('all');
  });

  it('bytes that are not UTF-8 (an overlong "/") are refused or read as U+FFFD, never stored as something else', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"slash '), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
    const created = await send({ method: 'POST', path: `${api}/experiments`, headers: { 'x-api-key': fx.a.apiKey, 'content-type': 'application/json' }, body: new Uint8Array(body) });
    if (created.status === 201) expect(created.json.name).toBe('slash \uFFFD\uFFFD');
    else expect(created.status).toBe(400);
    await changedTables('all');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('webhook secrets', () => {
  it('appear in no response body, header, page or log line of the whole suite', async () => {
    // The reads that sit closest to the secrets, so they are part of what is searched.
    const reads: HostileRequest[] = [
      asA('GET', '/api/webhook'),
      asA('GET', '/api/project'),
      page('/settings'),
      page('/traces'),
      page(`/traces/${fx.a.traceId}`),
      page(`${mount}/`),
      ...Object.values(fx.experiments).flatMap((e) => [
        asA('GET', `${api}/experiments/${e.id}`),
        asA('GET', `${api}/experiments/${e.id}/runs`),
        asA('GET', `${api}/experiments/${e.id}/results`),
        page(`${mount}/experiments/${e.id}`),
        page(`${mount}/experiments/${e.id}/compare`),
        ...(e.variantRunId ? [asA('GET', `${api}/experiments/${e.id}/runs/${e.variantRunId}`), page(`${mount}/experiments/${e.id}/runs/${e.variantRunId}/tests`)] : []),
      ]),
    ];
    for (const request of reads) await send(request);
    expect(seen.length).toBeGreaterThan(2 * cases.length);

    const haystack = [...seen, ...consoleLines, ...fx.logLines];
    const secrets = [fx.a.webhookSecret, fx.b.webhookSecret, fx.hookSecret];
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      const base64 = secret.slice('whsec_'.length);
      const forms = [base64, encodeURIComponent(base64), Buffer.from(base64, 'base64').toString('hex')];
      const leaks = haystack.filter((text) => forms.some((form) => text.includes(form))).map(excerpt);
      expect(leaks, `the secret ${secret.slice(0, 10)}… leaked`).toEqual([]);
    }
  });
});

