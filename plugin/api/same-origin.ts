import { createMiddleware } from 'hono/factory';
import { isSameOriginRequest } from '../host-security/same-origin-check.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses (403) a state-changing request that a browser sent from another site: the tab's forms and the API ride
 * on the host's session cookie, so a page on another site must not be able to post them (CSRF).
 * `Sec-Fetch-Site` decides when the browser sends it; otherwise `Origin` must name the host the request came to.
 * Forms require one of the two (every browser sends them); the API lets requests without either through, as
 * scripts and servers send neither and authenticate with the host's key rather than a cookie.
 */
export const requireSameOrigin = (options: { browserHeadersRequired: boolean }) =>
  createMiddleware(async (c, next) => {
    if (safeMethods.has(c.req.method)) return next();
    const sameOrigin = isSameOriginRequest(c.req.raw.headers, c.req.url);
    if (sameOrigin === undefined && !options.browserHeadersRequired) return next();
    if (sameOrigin) return next();
    if (options.browserHeadersRequired) return c.text('Refused: this form may only be sent from the Experiments pages of this site.', 403);
    return c.json({ error: { code: 'forbidden', message: 'Refused: a page on another site may not change experiments.' } }, 403);
  });
