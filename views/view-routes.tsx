import { Hono } from 'hono';
import type { PluginContext } from '../plugin/api/plugin-context.js';

/** The tab's pages. */
export function viewRoutes(context: PluginContext): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const principal = await context.host.auth(c.req.raw);
    if (!principal) return c.text('Sign in to the host to use Experiments.', 401);
    const body = (
      <section>
        <h1>Experiments</h1>
        <p>Change one thing at a time — a model, a temperature, a system prompt — and measure whether it made your application better.</p>
      </section>
    );
    const page = context.host.layout
      ? await context.host.layout({ title: 'Experiments', projectId: principal.projectId, body, request: c.req.raw })
      : body;
    return c.html(<>{page}</>);
  });
  return app;
}
