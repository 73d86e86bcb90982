import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/services/free-port.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../../dev/services/embedded-postgres.js';
import { sendTestWebhook, type TestWebhook } from '../../plugin/webhook/send-test-webhook.js';
import { startReceiver, type Receiver } from '../helpers/receivers.js';
import { api, mount, startHostileFixture, type HostileFixture, type HostileRequest } from './hostile-fixture.js';

/**
 * The findings of a probe "as an attacker would" (issue 17), one case each. Each failed on the code the probe
 * found; `open` marks a finding not yet fixed (the case is then expected to fail, and fails once it is fixed, so
 * the marker goes).
 */
type Finding = { open?: string };
const finding = (name: string, marks: Finding, fn: () => Promise<void>, timeout?: number) =>
  (marks.open ? it.fails : it)(`${name}${marks.open ? ` [open: ${marks.open}]` : ''}`, fn, timeout);

const hostOrigin = 'http://host.test';
const sameOrigin = { origin: hostOrigin, 'sec-fetch-site': 'same-origin' };

let fx: HostileFixture;
let receiver: Receiver;

beforeAll(async () => {
  fx = await startHostileFixture();
  // An internal service that answers with a secret in its body, on loopback.
  receiver = await startReceiver({ respond: () => ({ status: 403, body: 'db_password=hunter2 internal-only' }) });
});

afterAll(async () => {
  await receiver?.close();
  await fx?.close();
});

const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const webhookTo = (url: string, extra: Record<string, unknown> = {}): TestWebhook =>
  ({ url, secret, webhookId: 'probe', body: { testId: 'probe' }, timeoutMs: 1_000, ...extra }) as TestWebhook;
const portOf = (url: string) => new URL(url).port;

describe('1. SSRF with read-back through the webhook sender', () => {
  const refused = (url: string) => async () => {
    const before = receiver.received.length;
    const outcome = await sendTestWebhook(webhookTo(url));
    expect(outcome, url).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/refused/i) });
    expect(receiver.received.length, `${url} reached the receiver`).toBe(before);
  };
  finding('a loopback target is refused unless allowed, and nothing reaches it', {}, async () => refused(receiver.url)());
  for (const [name, url] of [
    ['loopback as a plain number (2130706433)', () => `http://2130706433:${portOf(receiver.url)}/webhook`],
    ['loopback as a hex number (0x7f000001)', () => `http://0x7f000001:${portOf(receiver.url)}/webhook`],
    ['IPv6 loopback', () => `http://[::1]:${portOf(receiver.url)}/webhook`],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${portOf(receiver.url)}/webhook`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['metadata.google.internal', () => 'http://metadata.google.internal/computeMetadata/v1/'],
    ['an RFC 1918 address', () => 'http://10.1.2.3/'],
    ['a CGNAT address', () => 'http://100.64.0.1/'],
    ['a unique-local IPv6 address', () => 'http://[fd00::1]/'],
    ['a multicast address', () => 'http://224.0.0.1/'],
    ['the unspecified address', () => `http://0.0.0.0:${portOf(receiver.url)}/webhook`],
    ['a name that resolves to loopback (localhost)', () => `http://localhost:${portOf(receiver.url)}/webhook`],
  ] as const) {
    finding(`${name} is refused with a clear reason`, {}, async () => refused(url())());
  }
  finding("an allowed target's answer is recorded as status and our own reason, never its body", {}, async () => {
    const outcome = await sendTestWebhook(webhookTo(receiver.url, { allowedHosts: `127.0.0.1:${portOf(receiver.url)}` }));
    expect(outcome).toMatchObject({ kind: 'rejected', status: 403 });
    expect(JSON.stringify(outcome)).not.toContain('db_password');
    expect(JSON.stringify(outcome)).not.toContain('internal-only');
  });
});

const loginWith = (next: string) => fx.send({ method: 'GET', path: `/login?key=${encodeURIComponent(fx.a.apiKey)}&next=${next}` });

describe('2. open redirect after login', () => {
  // The first two were followed as given; the others were already refused and stay so.
  const followed = new Set(['/%09/evil.example', '/%0A/evil.example']);
  for (const next of [...followed, '/%5C/evil.example', '%5C%5Cevil.example', '/%E2%80%8B/evil.example', '%2F%2Fevil.example', '/%252F/evil.example', 'https:evil.example']) {
    finding(`next=${next} goes nowhere but this site`, followed.has(next) ? {} : {}, async () => {
      const response = await loginWith(next);
      expect(response.status, response.text).toBeLessThan(500);
      const location = response.headers.get('location');
      if (location === null) return;
      expect(location, 'a relative path starting with one "/"').toMatch(/^\/(?![/\\])/);
      // eslint-disable-next-line no-control-regex -- control characters are what is looked for
      expect(location, 'no whitespace, backslash or control character').not.toMatch(/[\s\\\u0000-\u001f\u007f]|%(0[0-9a-f]|1[0-9a-f]|09|5c|7f)/i);
      expect(new URL(location, hostOrigin).origin).toBe(hostOrigin);
    });
  }
});

describe('3. control characters in next', () => {
  for (const [name, next] of [
    ['CR LF', '/x%0D%0ASet-Cookie:%20planted=1'],
    ['LF', '/x%0Aevil'],
    ['NUL', '/x%00evil'],
  ] as const) {
    finding(`${name} is a 400, with no raw control character in any log line`, {}, async () => {
      const before = fx.logLines.length;
      const response = await loginWith(next);
      expect(response.status, response.text).toBe(400);
      expect(response.headers.get('set-cookie')).toBeNull();
      // eslint-disable-next-line no-control-regex -- control characters are what is looked for
      for (const line of fx.logLines.slice(before)) expect(line).not.toMatch(/[\r\u0000]|planted/);
    });
  }
});

describe('4. malformed form bodies', () => {
  const formRoutes: Array<[string, (f: HostileFixture) => string]> = [
    ['POST /experiments', () => '/experiments'],
    ['POST /experiments/:id/setup/describe', (f) => `/experiments/${f.experiments.draft.id}/setup/describe`],
    ['POST /experiments/:id/setup/steps', (f) => `/experiments/${f.experiments.draft.id}/setup/steps`],
    ['POST /experiments/:id/setup/tasks', (f) => `/experiments/${f.experiments.draft.id}/setup/tasks`],
    ['POST /experiments/:id/setup/baseline', (f) => `/experiments/${f.experiments.pending.id}/setup/baseline`],
    ['POST /experiments/:id/variants', (f) => `/experiments/${f.experiments.idle.id}/variants`],
    ['POST /experiments/:id/variants/:vid/runs', (f) => `/experiments/${f.experiments.idle.id}/variants/${f.experiments.idle.draftVariantId}/runs`],
    ['POST /experiments/:id/runs/:rid/cancel', (f) => `/experiments/${f.experiments.running.id}/runs/${f.experiments.running.variantRunId}/cancel`],
    ['POST /experiments/:id/runs/:rid/retry', (f) => `/experiments/${f.experiments.idle.id}/runs/${f.experiments.idle.variantRunId}/retry`],
    ['POST /experiments/:id/complete', (f) => `/experiments/${f.experiments.idle.id}/complete`],
    ['POST /experiments/:id/archive', (f) => `/experiments/${f.experiments.idle.id}/archive`],
  ];
  const truncated = '--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nhalf a na';
  for (const [route, path] of formRoutes) {
    finding(`${route}: a truncated multipart body is a 400 and changes nothing`, {}, async () => {
      const before = await fx.snapshot();
      const response = await fx.send({
        method: 'POST',
        path: `${mount}${path(fx)}`,
        headers: { accept: 'text/html', cookie: `host_session=${fx.sessionToken}`, 'content-type': 'multipart/form-data; boundary=XyZ', ...sameOrigin },
        body: truncated,
      });
      expect(response.status, response.text.slice(0, 300)).toBe(400);
      expect(await fx.snapshot()).toEqual(before);
    });
  }
});

describe('5. login CSRF', () => {
  finding("a cross-site POST /login with someone's key is refused and signs nobody in", {}, async () => {
    const response = await fx.send({
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ apiKey: fx.b.apiKey, next: '/' }).toString(),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });
  finding('a cross-site link to /login?key= signs nobody in', {}, async () => {
    const response = await fx.send({ method: 'GET', path: `/login?key=${encodeURIComponent(fx.b.apiKey)}`, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(response.headers.get('set-cookie')).toBeNull();
  });
  finding('GET /logout signs nobody out', {}, async () => {
    const response = await fx.send({ method: 'GET', path: '/logout', headers: { cookie: `host_session=${fx.sessionToken}` } });
    expect(response.headers.get('set-cookie') ?? '').not.toMatch(/host_session=;/);
    expect([404, 405]).toContain(response.status);
  });
  finding('a cross-site POST /logout is refused', {}, async () => {
    const response = await fx.send({ method: 'POST', path: '/logout', headers: { cookie: `host_session=${fx.sessionToken}`, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(response.status).toBe(403);
  });
});

describe('6. a start after kill -9', () => {
  let dataDir: string;
  let first: RunningPostgres | undefined;
  let second: RunningPostgres | undefined;
  afterAll(async () => {
    // The second start took over the first one's server (stopped or reused it): stopping the first again would wait
    // for a process that is already gone. Each stop is bounded so a hung one cannot hold the suite.
    const bounded = (stop: Promise<void> | undefined) => Promise.race([stop?.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 15_000))]);
    await bounded(second ? second.stop() : first?.stop());
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  finding("the embedded Postgres left running by a killed start is recognised, and a start names every failure's cause", {}, async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'experiments-leftover-'));
    // The first start's Postgres keeps running, as after a kill -9 of `npm start`: nobody stops it.
    first = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    let failure: unknown;
    try {
      second = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    } catch (error) {
      failure = error;
    }
    expect(failure === undefined || (failure instanceof Error && /\S/.test(failure.message)), `failed without a cause: ${String(failure)}`).toBe(true);
    expect(failure, 'the leftover was not recognised').toBeUndefined();
    const sql = postgres(second!.url, { max: 1, onnotice: () => {} });
    try {
      expect((await sql`select 1 as one`)[0]!.one).toBe(1);
    } finally {
      await sql.end();
    }
  }, 120_000);
});

const apiAs = (contentType: string, method: string, path: string, body: string): HostileRequest => ({
  method,
  path: `${api}${path}`,
  headers: { 'x-api-key': fx.a.apiKey, 'content-type': contentType },
  body,
});

describe('7. a body that is not JSON', () => {
  for (const [contentType, body] of [
    ['text/plain', '{}'],
    ['application/x-www-form-urlencoded', 'a=1'],
    ['multipart/form-data; boundary=b', '--b--\r\n'],
  ] as const) {
    finding(`sent as ${contentType} to start a run is a 415 and starts nothing`, {}, async () => {
      const before = await fx.snapshot();
      const response = await fx.send(apiAs(contentType, 'POST', `/experiments/${fx.experiments.idle.id}/variants/${fx.experiments.idle.draftVariantId}/runs`, body));
      expect(response.status, response.text).toBe(415);
      expect(response.json?.error?.code).toBe('unsupported_media_type');
      expect(await fx.snapshot()).toEqual(before);
    });
  }
  finding('sent as text/plain to create an experiment is a 415', {}, async () => {
    const response = await fx.send(apiAs('text/plain', 'POST', '/experiments', '{"name":"Planted"}'));
    expect(response.status).toBe(415);
  });
});

describe('8. headers and guessing keys', () => {
  const pages: Array<[string, (f: HostileFixture) => HostileRequest]> = [
    ['the login page', () => ({ method: 'GET', path: '/login', headers: { accept: 'text/html' } })],
    ['a host page', (f) => ({ method: 'GET', path: '/traces', headers: { accept: 'text/html', cookie: `host_session=${f.sessionToken}` } })],
    ['the Experiments tab', (f) => ({ method: 'GET', path: `${mount}/`, headers: { accept: 'text/html', cookie: `host_session=${f.sessionToken}` } })],
    ['an experiment page', (f) => ({ method: 'GET', path: `${mount}/experiments/${f.experiments.idle.id}`, headers: { accept: 'text/html', cookie: `host_session=${f.sessionToken}` } })],
    ['an htmx fragment', (f) => ({ method: 'GET', path: `${mount}/experiments/${f.experiments.idle.id}/live`, headers: { accept: 'text/html', 'hx-request': 'true', cookie: `host_session=${f.sessionToken}` } })],
    ['a 404 page', () => ({ method: 'GET', path: '/nothing-here', headers: { accept: 'text/html' } })],
  ];
  for (const [name, request] of pages) {
    finding(`${name} carries a CSP with frame-ancestors, nosniff and a referrer policy`, {}, async () => {
      const response = await fx.send(request(fx));
      expect(response.status, name).toBeLessThan(500);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/frame-ancestors /);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toMatch(/^(no-referrer|same-origin|strict-origin(-when-cross-origin)?)$/);
    });
  }
  finding("the plugin's own answers carry the headers, for a host that sets none", {}, async () => {
    for (const path of ['/', '/assets/experiments.js', '/api/experiments']) {
      const response = await fx.plugin.app.request(path, { headers: { accept: 'text/html' } });
      expect(response.headers.get('content-security-policy') ?? '', path).toMatch(/frame-ancestors 'self'/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
  finding('guessing API keys is slowed down: 429 with Retry-After', {}, async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 60 && retryAfter === null; i++) {
      const response = await fx.send({ method: 'GET', path: '/api/project', headers: { 'x-api-key': `guess_${i}_${'x'.repeat(20)}`} });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // The right key is refused too while the limit holds: the limit is on the client (its address), not on the keys.
    const right = await fx.send({ method: 'GET', path: '/api/project', headers: { 'x-api-key': fx.a.apiKey} });
    expect(right.status).toBe(429);
  });
});

describe('POST /api/projects', () => {
  finding('without the admin token is refused', {}, async () => {
    const before = await fx.snapshot();
    const response = await fx.send({ method: 'POST', path: '/api/projects', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Planted' }) });
    expect([401, 403, 404]).toContain(response.status);
    expect(await fx.snapshot()).toEqual(before);
  });
});
