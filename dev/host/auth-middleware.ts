import { createMiddleware } from 'hono/factory';
import type { ExperimentsHost } from '../../plugin/host.js';
import { HostError } from './host-error.js';
import type { HostEnv } from './host-env.js';

/** JSON API guard: the principal from `x-api-key` (or the session cookie), else 401 JSON. */
export function apiAuth(capabilities: ExperimentsHost) {
  return createMiddleware<HostEnv>(async (c, next) => {
    const principal = await capabilities.auth(c.req.raw);
    if (!principal) throw new HostError('unauthorized', 'Send your project API key in the x-api-key header.');
    c.set('principal', principal);
    await next();
  });
}

/** The login URL that returns to the current page afterwards. */
export const loginUrlFor = (url: string) => {
  const { pathname, search } = new URL(url);
  return `/login?next=${encodeURIComponent(pathname + search)}`;
};

/** Page guard: the principal from the session cookie (or `x-api-key`), else a redirect to /login. */
export function pageAuth(capabilities: ExperimentsHost) {
  return createMiddleware<HostEnv>(async (c, next) => {
    const principal = await capabilities.auth(c.req.raw);
    if (!principal) return c.redirect(loginUrlFor(c.req.url), 302);
    c.set('principal', principal);
    await next();
  });
}

/**
 * In front of the plugin: a browser opening one of its pages without a session goes to /login instead of
 * getting the plugin's 401. API calls, htmx requests and the plugin's signed hook pass through untouched.
 */
export function redirectAnonymousBrowsers(capabilities: ExperimentsHost) {
  return createMiddleware(async (c, next) => {
    const browserPage = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html') && !c.req.header('hx-request');
    if (browserPage && !(await capabilities.auth(c.req.raw))) return c.redirect(loginUrlFor(c.req.url), 302);
    await next();
  });
}
