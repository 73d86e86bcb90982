import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ExperimentsError } from '../errors.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { Flash } from '../../views/flash-fragment.js';
import { renderPage } from './render-page.js';
import { viewPaths } from '../../views/view-paths.js';

/** Whether the request came from htmx (and so wants a fragment, not a page). */
export const isHtmx = (c: Context): boolean => c.req.header('hx-request') === 'true';

function describe(error: Error): { status: ContentfulStatusCode; message: string } {
  if (error instanceof ExperimentsError) return { status: error.status, message: error.message };
  if (error instanceof HTTPException && error.status < 500) return { status: error.status, message: error.message || 'The request could not be read.' };
  // A host capability may refuse the request with its own error carrying a 4xx status.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status: status as ContentfulStatusCode, message: error.message };
  console.error('experiments: unexpected error in a page', error);
  return { status: 500, message: 'Something went wrong on our side; the request changed nothing.' };
}

/**
 * Turns an error thrown by a page route into HTML: an htmx request gets the message in `#flash` (out of band, so the
 * page stays as it was); a page request gets the message as a page; a person without a session goes to the login.
 */
export const handleViewError = (context: PluginContext) => async (error: Error, c: Context) => {
  const { status, message } = describe(error);
  if (status === 401 && c.req.method === 'GET' && !isHtmx(c)) {
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
  }
  if (isHtmx(c) || status === 401) {
    const shown = status === 401 ? 'Your session has ended. Sign in again to continue; nothing was changed.' : message;
    return c.html(<Flash oob message={shown} />, status);
  }
  const paths = viewPaths(context.manifest.mountPath);
  return renderPage(c, context, {
    title: status === 404 ? 'Not found' : 'Request refused',
    status,
    body: (
      <section class="xp-panel">
        <h1>{status === 404 ? 'Not found' : status >= 500 ? 'Something went wrong' : 'That did not work'}</h1>
        <p role="alert">{message}</p>
        <p>
          <a href={paths.list()}>Back to experiments</a>
        </p>
      </section>
    ),
  });
};
