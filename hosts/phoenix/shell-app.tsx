import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import type { ExperimentsHost, HostPrincipal } from '../../plugin/host.js';
import { clientOf, createFailedKeyLimiter, escapingLog, isSameOriginRequest, nextPathOf, securityHeaders, type FailedKeyLimits } from '../../plugin/index.js';
import type { PhoenixClient } from './phoenix-client.js';
import { PhoenixError } from './phoenix-error.js';
import { saveInferenceStep } from './inference-step-repository.js';
import { findProjectByApiKey, getProject, setProjectDataset } from './project-repository.js';
import { sessionCookie } from './shell-auth.js';
import type { ShellSql } from './shell-database.js';
import { ShellError } from './shell-error.js';
import { createSession, deleteSession, sessionMaxAgeSeconds } from './session-repository.js';
import { getWebhook, saveWebhook } from './webhook-repository.js';
import { LoginPage } from './views/login-page.js';
import { SettingsPage } from './views/settings-page.js';

/** What the shell needs of the mounted plugin; `createExperimentsPlugin(...)` returns a superset. */
export interface ShellPlugin {
  app: Hono<any, any, any>;
}

export interface ShellAppOptions {
  sql: ShellSql;
  host: ExperimentsHost;
  phoenix: PhoenixClient;
  /** Phoenix as a browser reaches it. */
  phoenixPublicUrl: string;
  plugin: ShellPlugin | null;
  manifest: { mountPath: string; tab: { path: string } };
  log?: (message: string, error?: unknown) => void;
  /** Failed API-key attempts per client before 429s (default 20 a minute). */
  failedKeyLimits?: FailedKeyLimits;
  /** CSP `frame-ancestors` of every page (default `'self'`). */
  frameAncestors?: string[];
}

interface ShellEnv {
  Variables: { principal: HostPrincipal };
}

const htmxFile = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
const cssFile = path.join(import.meta.dirname, 'static', 'shell.css');

function validate<Target extends 'json' | 'query', Schema extends z.ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
      const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
      throw new ShellError(
        target === 'json' ? 'unprocessable' : 'bad_request',
        `The request ${target === 'json' ? 'body' : 'query'} is not valid: ${summary}`,
        { issues },
      );
    }
  });
}

const requireJson = createMiddleware(async (c, next) => {
  if (!/^application\/([\w.-]+\+)?json$/i.test((c.req.header('content-type') ?? '').split(';')[0]!.trim()))
    throw new ShellError('unsupported_media_type', 'Send the body as JSON with content-type: application/json.');
  await next();
});

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL');
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name');

/**
 * The shell around Phoenix: login with a project API key, settings (Phoenix project, dataset, webhook), its JSON API
 * (`PUT /api/webhook`, `PUT /api/dataset`, `POST /api/inference-steps`) and the Experiments tab mounted from the
 * manifest. Everything else about traces lives in Phoenix, linked from the navigation.
 */
export function createShellApp(options: ShellAppOptions): Hono<ShellEnv> {
  const { sql, host, phoenix, plugin, manifest } = options;
  // Request text reaches log lines: no control character may forge or hide a line.
  const log = escapingLog(options.log ?? ((message, error) => console.error(`[phoenix shell] ${message}`, error ?? '')));
  const limiter = createFailedKeyLimiter(options.failedKeyLimits);
  const tabHref = `${manifest.mountPath}${manifest.tab.path}`;
  const app = new Hono<ShellEnv>({ strict: false });
  const isPluginPath = (p: string) => plugin !== null && (p === manifest.mountPath || p.startsWith(`${manifest.mountPath}/`));
  const small = bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw new ShellError('payload_too_large', 'The request body is larger than 64 KiB.');
    },
  });
  app.use('*', securityHeaders({ ...(options.frameAncestors ? { frameAncestors: options.frameAncestors } : {}) }));
  app.use('*', (c, next) => (isPluginPath(c.req.path) ? next() : small(c, next)));
  // A client that sent too many wrong API keys waits (429) before it may try another.
  app.use('*', async (c, next) => {
    if (c.req.header('x-api-key') === undefined) return next();
    const wait = limiter.retryAfter(clientOf(c));
    if (wait !== null) {
      c.header('Retry-After', String(wait));
      throw new ShellError('too_many_requests', `Too many wrong API keys from this client; try again in ${wait} seconds.`);
    }
    await next();
    if (c.res.status === 401) limiter.recordFailure(clientOf(c));
  });

  const htmx = readFileSync(htmxFile);
  const css = readFileSync(cssFile);
  app.get('/static/htmx.min.js', (c) =>
    c.body(htmx, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
  app.get('/static/shell.css', (c) =>
    c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
  app.get('/healthz', (c) => c.json({ ok: true }));

  // Login: the form, the one-click `?key=` link (opened directly, not from another site), and logout (POST only).
  // Another site may neither sign a browser in (login CSRF) nor out.
  const loginRefused = (c: Context, status: 400 | 403 | 429, message: string) => c.html(<LoginPage next={tabHref} error={message} />, status);
  async function startSession(c: Context, apiKey: string, next: string) {
    const wait = limiter.retryAfter(clientOf(c));
    if (wait !== null) {
      c.header('Retry-After', String(wait));
      return loginRefused(c, 429, `Too many wrong API keys from here; try again in ${wait} seconds.`);
    }
    const project = apiKey.length <= 500 ? await findProjectByApiKey(sql, apiKey) : undefined;
    if (!project) {
      limiter.recordFailure(clientOf(c));
      return c.html(<LoginPage next={next} error="That API key does not belong to any project." />, 401);
    }
    setCookie(c, sessionCookie, await createSession(sql, project.id), {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: sessionMaxAgeSeconds,
      secure: new URL(c.req.url).protocol === 'https:',
    });
    return c.redirect(next, 303);
  }
  app.get('/login', (c) => {
    const next = nextPathOf(c.req.query('next'), tabHref);
    if (!next.ok) return loginRefused(c, 400, next.reason);
    const key = c.req.query('key');
    const site = c.req.header('sec-fetch-site');
    if (key && (site === 'cross-site' || site === 'same-site'))
      return c.html(<LoginPage next={next.path} error="This sign-in link came from another site; enter your API key to log in." />, 403);
    return key ? startSession(c, key, next.path) : c.html(<LoginPage next={next.path} />);
  });
  app.post('/login', async (c) => {
    if (isSameOriginRequest(c.req.raw.headers, c.req.url) !== true) return loginRefused(c, 403, 'Log in from the login page of this site.');
    const form = z
      .object({ apiKey: z.string().trim().max(500).optional(), next: z.string().max(2000).optional() })
      .safeParse(await c.req.parseBody().catch(() => ({})));
    const next = nextPathOf(form.data?.next, tabHref);
    if (!next.ok) return loginRefused(c, 400, next.reason);
    if (!form.data?.apiKey) return c.html(<LoginPage next={next.path} error="Enter your project's API key." />, 422);
    return startSession(c, form.data.apiKey, next.path);
  });
  app.post('/logout', async (c) => {
    if (isSameOriginRequest(c.req.raw.headers, c.req.url) !== true) return loginRefused(c, 403, 'Log out from a page of this site.');
    const token = getCookie(c, sessionCookie);
    if (token) await deleteSession(sql, token);
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.redirect('/login', 303);
  });

  const loginUrlFor = (url: string) => {
    const { pathname, search } = new URL(url);
    return `/login?next=${encodeURIComponent(pathname + search)}`;
  };
  const apiAuth = createMiddleware<ShellEnv>(async (c, next) => {
    const principal = await host.auth(c.req.raw);
    if (!principal) throw new ShellError('unauthorized', 'Send your project API key in the x-api-key header.');
    c.set('principal', principal);
    await next();
  });
  const pageAuth = createMiddleware<ShellEnv>(async (c, next) => {
    const principal = await host.auth(c.req.raw);
    if (!principal) return c.redirect(loginUrlFor(c.req.url), 302);
    c.set('principal', principal);
    await next();
  });

  app.get('/', (c) => c.redirect(tabHref, 302));

  app.get('/settings', pageAuth, async (c) => {
    const { projectId } = c.get('principal');
    const project = (await getProject(sql, projectId))!;
    const webhook = await getWebhook(sql, projectId);
    const body = (
      <SettingsPage
        project={project}
        phoenixUrl={options.phoenixPublicUrl}
        webhook={
          webhook ? { url: webhook.url, headerNames: Object.keys(webhook.headers), updatedAt: webhook.updatedAt.toISOString() } : null
        }
      />
    );
    const page = host.layout ? await host.layout({ title: 'Settings', projectId, body, request: c.req.raw }) : body;
    return c.html(<>{page}</>);
  });

  app.use('/api/*', apiAuth);
  app.put(
    '/api/webhook',
    requireJson,
    validate(
      'json',
      z.object({
        url: httpUrl,
        headers: z
          .record(headerName, z.string().max(4000))
          .refine((h) => Object.keys(h).length <= 20, 'at most 20 headers')
          .optional(),
        rotateSecret: z.boolean().optional(),
      }),
    ),
    async (c) => {
      const saved = await saveWebhook(sql, c.get('principal').projectId, c.req.valid('json'));
      return c.json({ url: saved.url, headerNames: Object.keys(saved.headers), ...(saved.secret ? { secret: saved.secret } : {}) });
    },
  );
  app.put(
    '/api/dataset',
    requireJson,
    validate('json', z.object({ datasetId: z.string().trim().min(1).max(200).nullable() })),
    async (c) => {
      const { datasetId } = c.req.valid('json');
      if (datasetId !== null) {
        try {
          await phoenix.datasets.get(datasetId);
        } catch (error) {
          if (error instanceof PhoenixError && error.code === 'phoenix_not_found')
            throw new ShellError('unprocessable', `Phoenix has no dataset ${datasetId}.`);
          throw error;
        }
      }
      await setProjectDataset(sql, c.get('principal').projectId, datasetId);
      return c.json({ datasetId });
    },
  );
  app.post(
    '/api/inference-steps',
    requireJson,
    validate(
      'json',
      z.object({
        externalId: z.string().trim().min(1).max(200),
        title: z.string().trim().min(1).max(200).optional(),
        type: z.enum(['llm', 'retriever']).default('llm'),
      }),
    ),
    async (c) => {
      const step = c.req.valid('json');
      const saved = { externalId: step.externalId, title: step.title ?? step.externalId, type: step.type };
      await saveInferenceStep(sql, c.get('principal').projectId, saved);
      return c.json(saved, 201);
    },
  );

  if (plugin) {
    // A browser opening a page of the tab without a session goes to /login instead of getting the plugin's 401.
    app.use(`${manifest.mountPath}/*`, async (c, next) => {
      const browserPage = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html') && !c.req.header('hx-request');
      if (browserPage && !(await host.auth(c.req.raw))) return c.redirect(loginUrlFor(c.req.url), 302);
      await next();
    });
    app.route(manifest.mountPath, plugin.app);
  }

  app.notFound((c) => c.json(new ShellError('not_found', `No route for ${c.req.method} ${c.req.path}.`).toJSON(), 404));
  app.onError((error, c) => {
    const known =
      error instanceof ShellError
        ? error
        : error instanceof PhoenixError
          ? new ShellError('bad_gateway', error.message)
          : error instanceof HTTPException && error.status < 500
            ? new ShellError(error.status === 401 ? 'unauthorized' : 'bad_request', error.message || 'The request could not be read.')
            : null;
    if (!known) log(`Unexpected error on ${c.req.method} ${c.req.path}`, error);
    const shown = known ?? new ShellError('internal', 'Something went wrong on our side; the error is logged.');
    return c.json(shown.toJSON(), shown.status);
  });
  return app;
}
