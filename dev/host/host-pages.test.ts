import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.js';
import { manifest } from '../../plugin/manifest.js';
import { createProject } from './project-repository.js';
import { createRecordingPlugin, type RecordingPlugin } from './recording-plugin.js';
import { createReferenceHost, type ReferenceHost } from './reference-host.js';

let database: TestDatabase;
let host: ReferenceHost<RecordingPlugin>;
let key: string;
let cookie: string;

beforeAll(async () => {
  database = await createTestDatabase('host_pages');
  host = await createReferenceHost({ databaseUrl: database.url, baseUrl: 'http://localhost:3000', pluginFactory: createRecordingPlugin });
  key = (await createProject(host.db, { name: 'Support <bot> & co' })).apiKey;
  cookie = await logIn(key);
});
afterAll(async () => {
  await host?.close();
  await database?.drop();
});

const html = { accept: 'text/html' };
/** What a browser sends with a form posted from a page of this host. */
const fromThisSite = { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' };

async function logIn(apiKey: string) {
  const response = await host.app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...fromThisSite },
    body: new URLSearchParams({ apiKey, next: '/tasks' }).toString(),
  });
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe('/tasks');
  const setCookie = response.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^host_session=[A-Za-z0-9_-]{43};/);
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Lax/i);
  expect(setCookie).not.toContain(apiKey);
  return setCookie.split(';')[0]!;
}

const page = async (path: string, session = cookie) => {
  const response = await host.app.request(path, { headers: { ...html, cookie: session } });
  return { status: response.status, body: await response.text(), response };
};

/** The main navigation as `{ label, href, current }`, read from the rendered HTML. */
function navigation(body: string) {
  const nav = /<nav class="host-nav"[^>]*>([\s\S]*?)<\/nav>/.exec(body)?.[1] ?? '';
  return [...nav.matchAll(/<a ([^>]*)>([^<]*)<\/a>/g)].map(([, attributes, label]) => {
    const attrs = Object.fromEntries([...attributes!.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, name, value]) => [name, value]));
    return { label, href: attrs.href, current: attrs['aria-current'] === 'page' };
  });
}

describe('login', () => {
  it('sends page requests without a session to /login, and API requests get 401 JSON', async () => {
    const response = await host.app.request('/traces?cursor=x', { headers: html });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/login?next=%2Ftraces%3Fcursor%3Dx');
    const api = await host.app.request('/api/traces', { headers: { cookie: 'host_session=forged' } });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('shows the form, and refuses a wrong key with the form again', async () => {
    const form = await page('/login?next=/settings', '');
    expect(form.status).toBe(200);
    expect(form.body).toMatch(/<form method="post" action="\/login">/);
    expect(form.body).toContain('name="next" value="/settings"');
    const wrong = await host.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...fromThisSite },
      body: 'apiKey=hk_nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('does not belong to any project');
  });

  it('logs in by the one-click link, refusing to redirect off the host', async () => {
    const response = await host.app.request(`/login?key=${encodeURIComponent(key)}&next=//evil.example/x`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/traces');
    expect(response.headers.get('set-cookie')).toMatch(/^host_session=/);
  });

  it('logs out: the session stops working', async () => {
    const session = await logIn(key);
    expect((await page('/traces', session)).status).toBe(200);
    const out = await host.app.request('/logout', { method: 'POST', headers: { cookie: session, ...fromThisSite } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/host_session=;.*Max-Age=0/);
    expect((await page('/traces', session)).status).toBe(302);
  });
});

describe('layout', () => {
  it('shows the project name, the host sections and the Experiments tab from the manifest, marking the current one', async () => {
    const { status, body } = await page('/tasks');
    expect(status).toBe(200);
    expect(body.startsWith('<!doctype html>')).toBe(true);
    expect(body).toContain('Support &lt;bot&gt; &amp; co');
    expect(navigation(body)).toEqual([
      { label: 'Traces', href: '/traces', current: false },
      { label: 'Tasks', href: '/tasks', current: true },
      { label: 'Inference steps', href: '/inference-steps', current: false },
      { label: 'Webhook settings', href: '/settings', current: false },
      { label: manifest.tab.label, href: `${manifest.mountPath}${manifest.tab.path}`, current: false },
    ]);
    expect(body).toContain('<script src="/static/htmx.min.js"></script>');
    expect(body).toContain('<link rel="stylesheet" href="/static/host.css"/>');
  });

  it("wraps the plugin's pages in the host chrome with the plugin's tab current, with or without a trailing slash", async () => {
    for (const path of [manifest.mountPath, `${manifest.mountPath}/`]) {
      const { status, body } = await page(path);
      expect(status).toBe(200);
      expect(body).toContain('Recorded experiments page');
      expect(navigation(body).find((entry) => entry.current)?.label).toBe('Experiments');
    }
  });

  it('sends a browser without a session from a plugin page to /login, but lets API calls reach the plugin', async () => {
    const browser = await host.app.request(`${manifest.mountPath}/`, { headers: html });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`${manifest.mountPath}/`)}`);
    const script = await host.app.request(`${manifest.mountPath}/`);
    expect(script.status).toBe(401);
  });

  it('leaves the tab out when no plugin is mounted', async () => {
    const bare = await createReferenceHost({ databaseUrl: database.url, baseUrl: 'http://localhost:3000' });
    try {
      const response = await bare.app.request('/traces', { headers: { ...html, cookie } });
      expect(navigation(await response.text()).map((entry) => entry.label)).toEqual([
        'Traces',
        'Tasks',
        'Inference steps',
        'Webhook settings',
      ]);
    } finally {
      await bare.close();
    }
  });

  it('serves htmx 4 and the stylesheet', async () => {
    const htmx = await host.app.request('/static/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get('content-type')).toMatch(/javascript/);
    expect((await htmx.text()).length).toBeGreaterThan(10_000);
    const css = await host.app.request('/static/host.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect(await css.text()).toContain('system-ui');
  });

  it('answers unknown pages with an HTML 404 and unknown API paths with JSON', async () => {
    const missing = await page('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('Not found');
    const api = await host.app.request('/api/nowhere', { headers: { 'x-api-key': key } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('pages', () => {
  it('lists traces with name, span count and test id, and shows a trace as an escaped span tree', async () => {
    const ingest = await host.app.request('/api/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({
        name: '<script>alert("root")</script>',
        testId: 'test-42',
        input: 'Hello <b>there</b>',
        output: 'Answer & more',
        spans: [
          { spanId: '00000000000000a1', name: 'classifier', output: 'greeting' },
          {
            spanId: '00000000000000a2',
            parentSpanId: '00000000000000a1',
            name: 'retriever',
            attributes: { 'retrieval.query': '"><img src=x onerror=alert(1)>' },
          },
        ],
      }),
    });
    const { traceId } = (await ingest.json()) as { traceId: string };

    const list = await page('/traces');
    expect(list.status).toBe(200);
    const row = new RegExp(`<tr data-trace-id="${traceId}">([\\s\\S]*?)</tr>`).exec(list.body)?.[1] ?? '';
    expect(row).toContain('&lt;script&gt;alert(&quot;root&quot;)&lt;/script&gt;');
    expect(row).toContain(`href="/traces/${traceId}"`);
    expect(row).toContain('<td class="num">3</td>');
    expect(row).toContain('test-42');
    expect(list.body).not.toContain('<script>alert');

    const trace = await page(`/traces/${traceId}`);
    expect(trace.status).toBe(200);
    const depths = [...trace.body.matchAll(/<li class="span"[^>]*data-span-id="([0-9a-f]+)" data-depth="(\d+)"/g)].map(([, id, depth]) => [
      id,
      Number(depth),
    ]);
    expect(depths.slice(1)).toEqual([
      ['00000000000000a1', 1],
      ['00000000000000a2', 2],
    ]);
    expect(depths[0]![1]).toBe(0);
    expect(trace.body).toContain('Hello &lt;b&gt;there&lt;/b&gt;');
    expect(trace.body).toContain('Answer &amp; more');
    expect(trace.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(trace.body).not.toMatch(/<img|<script>alert|<b>there/);
    expect(trace.body).toContain('test-42');

    expect((await page('/traces/ffffffffffffffffffffffffffffffff')).status).toBe(404);
  });

  it('shows tasks with search, and inference steps', async () => {
    const add = (title: string, prompt: string) =>
      host.app.request('/api/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ title, prompt, evaluations: [{ type: 'contains', value: 'x' }] }),
      });
    await add('Refund <late>', 'Where is my refund?');
    await add('Password', 'Cannot log in');
    const all = await page('/tasks');
    expect(all.body).toContain('Refund &lt;late&gt;');
    expect(all.body).toContain('Password');
    const found = await page('/tasks?search=refund');
    expect(found.body).toContain('Refund &lt;late&gt;');
    expect(found.body).not.toContain('Cannot log in');
    expect(found.body).toContain('value="refund"');

    await host.app.request('/api/inference-steps', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ externalId: 'classifier', title: 'Classifier', type: 'llm' }),
    });
    const steps = await page('/inference-steps');
    expect(steps.body).toContain('<tr data-step-id="classifier">');
    expect(navigation(steps.body).find((entry) => entry.current)?.label).toBe('Inference steps');
  });

  it('shows the webhook URL in settings but never its secret', async () => {
    const put = await host.app.request('/api/webhook', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ url: 'http://localhost:4000/webhook', headers: { authorization: 'Bearer app-token' } }),
    });
    const { secret } = (await put.json()) as { secret: string };
    const settings = await page('/settings');
    expect(settings.body).toContain('http://localhost:4000/webhook');
    expect(settings.body).toContain('authorization');
    expect(settings.body).not.toContain(secret);
    expect(settings.body).not.toContain('whsec_');
    expect(settings.body).not.toContain('app-token');
    expect(settings.body).not.toContain(key);
  });

  it("the layout capability wraps a plugin page's body, marking the section the request is in", async () => {
    const projectId = (await host.capabilities.auth(new Request('http://localhost/', { headers: { 'x-api-key': key } })))!.projectId;
    const rendered = String(
      await host.capabilities.layout!({
        title: 'Results',
        projectId,
        body: 'Body <text>',
        request: new Request(`http://localhost:3000${manifest.mountPath}/experiments/1`),
      }),
    );
    expect(rendered).toContain('<title>Results · Reference host</title>');
    expect(rendered).toContain('Body &lt;text&gt;');
    expect(navigation(rendered).find((entry) => entry.current)?.label).toBe('Experiments');
  });
});
