import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PluginContext } from '../operations/plugin-context.js';
import { Flash } from '../../views/flash-fragment.js';
import { viewPaths } from '../../views/view-paths.js';

/** One page of the tab: its title and main content. */
export interface PageContent {
  title: string;
  body: Child;
  status?: ContentfulStatusCode;
  /** A message shown in `#flash` as the page opens (e.g. why a page sent the person here). */
  flash?: { message: string; tone: 'error' | 'ok' };
}

/**
 * Answers with a full page inside the host's layout (or a bare document when the host has none), with the tab's
 * stylesheet, its small script and the `#flash` message area.
 */
export async function renderPage(c: Context, context: PluginContext, page: PageContent): Promise<Response> {
  const paths = viewPaths(context.manifest.mountPath);
  const content = (
    <>
      <link rel="stylesheet" href={paths.css} />
      <script src={paths.script} defer></script>
      <div class="xp">
        <Flash {...(page.flash ?? {})} />
        {page.body}
      </div>
    </>
  );
  const principal = c.get('principal');
  const wrapped =
    context.host.layout && principal
      ? await context.host.layout({ title: page.title, projectId: principal.projectId, body: content, request: c.req.raw })
      : <BareDocument title={page.title} htmx={paths.htmx}>{content}</BareDocument>;
  return c.html(<>{wrapped}</>, page.status ?? 200);
}

// Only for hosts without a layout; htmx comes from the plugin's own assets (a host's layout loads its own, or that one).
function BareDocument({ title, htmx, children }: { title: string; htmx: string; children?: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          <script src={htmx} defer></script>
        </head>
        <body>
          <main>{children}</main>
        </body>
      </html>
    </>
  );
}
