import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sessionCookie } from './host-auth.js';
import type { HostDb } from './host-database.js';
import { findProjectByApiKey } from './project-repository.js';
import { createSession, deleteSession, sessionMaxAgeSeconds } from './session-repository.js';
import { LoginPage } from './views/login-page.js';

/** Only a path on this host: `//evil.example` or `https://…` would turn the login into an open redirect. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/traces';
  return next;
}

// Lenient on purpose: a browser form that does not fit gets the form back with a message, not a JSON error.
const loginForm = z.object({ apiKey: z.string().trim().max(500).optional(), next: z.string().max(2000).optional() });

/** `/login` (form and the one-click `?key=` link) and `/logout`. */
export function createLoginRoutes({ db }: { db: HostDb }) {
  const login = new Hono({ strict: false });

  async function startSession(c: Context, apiKey: string, next: string) {
    const project = apiKey.length <= 500 ? await findProjectByApiKey(db, apiKey) : undefined;
    if (!project) return c.html(<LoginPage next={next} error="That API key does not belong to any project." />, 401);
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
    const next = safeNext(c.req.query('next'));
    const key = c.req.query('key');
    return key ? startSession(c, key, next) : c.html(<LoginPage next={next} />);
  });

  login.post('/login', async (c) => {
    const form = loginForm.safeParse(await c.req.parseBody().catch(() => ({})));
    const next = safeNext(form.data?.next);
    const apiKey = form.data?.apiKey ?? '';
    if (!apiKey) return c.html(<LoginPage next={next} error="Enter your project's API key." />, 422);
    return startSession(c, apiKey, next);
  });

  const logout = async (c: Context) => {
    const token = getCookie(c, sessionCookie);
    if (token) await deleteSession(db, token);
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.redirect('/login', 303);
  };
  login.get('/logout', logout);
  login.post('/logout', logout);

  return login;
}
