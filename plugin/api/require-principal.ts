import { createMiddleware } from 'hono/factory';
import { ExperimentsError } from '../errors.js';
import type { ExperimentsHost } from '../host.js';

/** Asks the host who is calling; without a principal the plugin answers 401 and does nothing. */
export const requirePrincipal = (host: ExperimentsHost) =>
  createMiddleware(async (c, next) => {
    const principal = await host.auth(c.req.raw);
    if (!principal) throw new ExperimentsError('unauthorized', 'Sign in to the host (or send its API key) to use Experiments.');
    c.set('principal', principal);
    c.set('projectId', principal.projectId);
    c.set('actor', principal.userId ?? `project:${principal.projectId}`);
    await next();
  });
