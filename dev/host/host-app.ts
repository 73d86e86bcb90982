import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { createApiRoutes } from './api-routes.js';
import { apiAuth, redirectAnonymousBrowsers } from './auth-middleware.js';
import { HostError, codeForStatus } from './host-error.js';
import { defaultLog, type HostAppOptions, type HostEnv } from './host-env.js';
import { createLoginRoutes } from './login-routes.js';
import { clientOf, createFailedKeyLimiter, escapingLog, securityHeaders } from '../../plugin/host-security/index.js';
import { createOtlpRoutes } from './otlp-routes.js';
import { createPageRoutes } from './page-routes.js';
import { createProject } from './project-repository.js';
import { validate, requireJson } from './validation.js';
import { pluginTabOf } from './views/host-layout.js';
import { z } from 'zod';

export type { HostAppOptions, HostPlugin, HostLog } from './host-env.js';

/** Request bodies larger than this are refused with 413; trace ingestion gets `traceBodyLimit`. */
export const defaultBodyLimit = 1024 * 1024;
export const traceBodyLimit = 8 * 1024 * 1024;

const htmxFile = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
const cssFile = fileURLToPath(new URL('./static/host.css', import.meta.url));

const isOtlpIngestion = (c: Context) => c.req.method === 'POST' && c.req.path === '/v1/traces';
const isIngestion = (c: Context) => c.req.method === 'POST' && (c.req.path === '/v1/traces' || c.req.path === '/api/traces');
const isMachinePath = (path: string) => path.startsWith('/api/') || path === '/api' || path.startsWith('/v1/');
/** Errors on pages a person opened are HTML; everything else (API, scripts, app.request) gets JSON. */
const wantsHtml = (c: Context) => !isMachinePath(c.req.path) && (c.req.header('accept') ?? '').includes('text/html');

function errorPage(title: string, message: string) {
  const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title><link rel="stylesheet" href="/static/host.css"></head><body><main class="host-main"><h1>${escape(title)}</h1><p>${escape(message)}</p><p><a href="/traces">Back to traces</a></p></main></body></html>`;
}

/**
 * The reference host's HTTP app: JSON API, OTLP ingestion, pages, login, static files, and the plugin mounted
 * at `manifest.mountPath`.
 *
 * @example
 * const app = createHostApp({ db, capabilities, plugin, manifest });
 * serve({ fetch: app.fetch, port: 3000 });
 */
export function createHostApp(options: HostAppOptions): Hono<HostEnv> {
  const { db, capabilities, plugin, manifest } = options;
  // Request text reaches log lines (paths, error messages): no control character may forge or hide a line.
  const log = escapingLog(options.log ?? defaultLog);
  const limiter = createFailedKeyLimiter(options.failedKeyLimits);
  const allowProjectCreation = options.allowProjectCreation ?? false;
  const adminToken = options.adminToken ? createHash('sha256').update(options.adminToken).digest() : null;
  const testIdAttribute = manifest.trace.testIdAttribute;
  const app = new Hono<HostEnv>({ strict: false });

  // Every answer, the plugin's included: the host decides who may frame its pages.
  app.use('*', securityHeaders({ ...(options.frameAncestors ? { frameAncestors: options.frameAncestors } : {}) }));

  // A client that sent too many wrong API keys waits (429) before it may try another; the plugin's routes too,
  // since they authenticate through the host.
  app.use('*', async (c, next) => {
    const keyAttempt = c.req.header('x-api-key') !== undefined || (c.req.path === '/api/projects' && c.req.header('authorization') !== undefined);
    if (!keyAttempt) return next();
    const client = clientOf(c);
    const wait = limiter.retryAfter(client);
    if (wait !== null) {
      c.header('Retry-After', String(wait));
      throw new HostError('too_many_requests', `Too many wrong API keys from this client; try again in ${wait} seconds.`);
    }
    await next();
    if (c.res.status === 401) limiter.recordFailure(client);
  });

  const tooLarge = (limit: number) => () => {
    throw new HostError('payload_too_large', `The request body is larger than ${limit} bytes.`);
  };
  const smallBodies = bodyLimit({ maxSize: defaultBodyLimit, onError: tooLarge(defaultBodyLimit) });
  const traceBodies = bodyLimit({ maxSize: traceBodyLimit, onError: tooLarge(traceBodyLimit) });
  const isPluginPath = (path: string) => plugin !== null && (path === manifest.mountPath || path.startsWith(`${manifest.mountPath}/`));
  // The plugin sets its own body limits; the host's must not override them. OTLP ingestion reads its body within
  // the limit itself, without the web Request that hono's body limit would make for every request.
  app.use('*', (c, next) =>
    isPluginPath(c.req.path) || isOtlpIngestion(c) ? next() : (isIngestion(c) ? traceBodies : smallBodies)(c, next),
  );

  const htmx = readFileSync(htmxFile);
  const css = readFileSync(cssFile);
  app.get('/static/htmx.min.js', (c) =>
    c.body(htmx, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
  app.get('/static/host.css', (c) =>
    c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }),
  );
  app.get('/healthz', (c) => c.json({ ok: true }));

  app.route('/', createLoginRoutes({ db, limiter }));

  // Registered before the authenticated /api routes, and answering without calling next, so it needs no key.
  app.post(
    '/api/projects',
    async (c, next) => {
      if (allowProjectCreation) return next();
      if (!adminToken) throw new HostError('not_found', 'Project creation over HTTP is disabled.');
      const sent = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
      // Compared as hashes: equal length, constant time.
      if (!timingSafeEqual(createHash('sha256').update(sent).digest(), adminToken))
        throw new HostError('unauthorized', 'Creating a project needs the admin token: send authorization: Bearer <token>.');
      await next();
    },
    requireJson,
    validate('json', z.object({ name: z.string().trim().min(1).max(200), apiKey: z.string().min(16).max(200).optional() })),
    async (c) => {
      const body = c.req.valid('json');
      const project = await createProject(db, body);
      if (!project.created) throw new HostError('conflict', 'That API key already belongs to a project.');
      return c.json({ id: project.id, name: project.name, apiKey: project.apiKey, apiKeyPrefix: project.apiKeyPrefix }, 201);
    },
  );

  app.use('/api/*', apiAuth(capabilities));
  app.route('/api', createApiRoutes({ db, plugin, log, testIdAttribute }));
  app.use('/v1/*', apiAuth(capabilities));
  app.route('/v1', createOtlpRoutes({ db, plugin, log, bodyLimit: traceBodyLimit }));

  const pluginTab = plugin ? pluginTabOf(manifest) : null;
  app.route('/', createPageRoutes({ db, capabilities, pluginTab, testIdAttribute }));

  if (plugin) {
    app.use(`${manifest.mountPath}/*`, redirectAnonymousBrowsers(capabilities));
    app.route(manifest.mountPath, plugin.app);
  }

  app.notFound((c) => {
    if (wantsHtml(c)) return c.html(errorPage('Not found', `Nothing lives at ${c.req.path}.`), 404);
    return c.json(new HostError('not_found', `No route for ${c.req.method} ${c.req.path}.`).toJSON(), 404);
  });

  app.onError((error, c) => {
    const known =
      error instanceof HostError
        ? error
        : error instanceof HTTPException && error.status < 500
          ? new HostError(codeForStatus(error.status), error.message || 'The request could not be read.')
          : null;
    if (!known) log(`Unexpected error on ${c.req.method} ${c.req.path}`, error);
    const shown = known ?? new HostError('internal', 'Something went wrong on our side; the error is logged.');
    if (wantsHtml(c))
      return c.html(errorPage(shown.code === 'internal' ? 'Something went wrong' : 'Request refused', shown.message), shown.status);
    return c.json(shown.toJSON(), shown.status);
  });

  return app;
}
