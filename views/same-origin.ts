import { createMiddleware } from 'hono/factory';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses (403) a state-changing request that a browser did not send from this site's own pages: the tab's forms
 * ride on the host's session cookie, so a form on another site must not be able to post them (CSRF).
 * `Sec-Fetch-Site` decides when the browser sends it; otherwise `Origin` must name the host the request came to.
 */
export const requireSameOrigin = () =>
  createMiddleware(async (c, next) => {
    if (safeMethods.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const host = c.req.header('x-forwarded-host') ?? c.req.header('host') ?? new URL(c.req.url).host;
    const sameOrigin = site !== undefined ? site === 'same-origin' : origin !== undefined && originHost(origin) === host;
    if (!sameOrigin) {
      return c.text('Refused: this form may only be sent from the Experiments pages of this site.', 403);
    }
    return next();
  });

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
