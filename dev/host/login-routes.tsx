import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clientOf, isSameOriginRequest, nextPathOf, type FailedKeyLimiter } from '../../plugin/host-security/index.js';
import { sessionCookie } from './host-auth.js';
import type { HostDb } from './host-database.js';
import { findProjectByApiKey } from './project-repository.js';
import { createSession, deleteSession, sessionMaxAgeSeconds } from './session-repository.js';
import { LoginPage } from './views/login-page.js';

const defaultNext = '/traces';

// Lenient on purpose: a browser form that does not fit gets the form back with a message, not a JSON error.
const loginForm = z.object({ apiKey: z.string().trim().max(500).optional(), next: z.string().max(2000).optional() });

/**
 * `/login` (form and the one-click `?key=` link) and `/logout` (POST only). Logging in or out changes which project
 * the browser acts for, so another site may do neither: a form post must come from this site (login CSRF), and the
 * `?key=` link signs in only when opened directly (typed, pasted, from a terminal), not from another site's page.
 */
export function createLoginRoutes({ db, limiter }: { db: HostDb; limiter: FailedKeyLimiter }) {
  const login = new Hono({ strict: false });

  const refused = (c: Context, status: 400 | 403 | 429, message: string) => c.html(<LoginPage next={defaultNext} error={message} />, status);

  async function startSession(c: Context, apiKey: string, next: string) {
    const client = clientOf(c);
    const wait = limiter.retryAfter(client);
    if (wait !== null) {
      c.header('Retry-After', String(wait));
      return refused(c, 429, `Too many wrong API keys from here; try again in ${wait} seconds.`);
    }
    const project = apiKey.length <= 500 ? await findProjectByApiKey(db, apiKey) : undefined;
    if (!project) {
      limiter.recordFailure(client);
      return c.html(<LoginPage next={next} error="That API key does not belong to any project." />, 401);
    }
    setCookie(c, sessionCookie, await createSession(db, project.id), {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: sessionMaxAgeSeconds,
      secure: new URL(c.req.url).protocol === 'https:',
    });
    // 303, so the browser follows a POSTed form with a GET.
    return c.redirect(next, 303);
  }

  login.get('/login', async (c) => {
    const next = nextPathOf(c.req.query('next'), defaultNext);
    if (!next.ok) return refused(c, 400, next.reason);
    const key = c.req.query('key');
    // Sec-Fetch-Site is "none" for a link opened directly; another site's link or image would sign the browser
    // into that site's chosen project.
    const site = c.req.header('sec-fetch-site');
    if (key && (site === 'cross-site' || site === 'same-site'))
      return c.html(<LoginPage next={next.path} error="This sign-in link came from another site; enter your API key to log in." />, 403);
    return key ? startSession(c, key, next.path) : c.html(<LoginPage next={next.path} />);
  });

  login.post('/login', async (c) => {
    if (isSameOriginRequest(c.req.raw.headers, c.req.url) !== true) return refused(c, 403, 'Log in from the login page of this site.');
    const form = loginForm.safeParse(await c.req.parseBody().catch(() => ({})));
    const next = nextPathOf(form.data?.next, defaultNext);
    if (!next.ok) return refused(c, 400, next.reason);
    const apiKey = form.data?.apiKey ?? '';
    if (!apiKey) return c.html(<LoginPage next={next.path} error="Enter your project's API key." />, 422);
    return startSession(c, apiKey, next.path);
  });

  login.post('/logout', async (c) => {
    if (isSameOriginRequest(c.req.raw.headers, c.req.url) !== true) return refused(c, 403, 'Log out from a page of this site.');
    const token = getCookie(c, sessionCookie);
    if (token) await deleteSession(db, token);
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.redirect('/login', 303);
  });

  return login;
}
