// A whole host for the Experiments plugin, in plain JavaScript: one project whose tasks and inference step live in
// memory, spans posted to POST /spans. `npm install llm-experiments-plugin hono @hono/node-server`, then
// DATABASE_URL=… TEMPORAL_ADDRESS=… API_KEY=… APP_WEBHOOK_URL=… WEBHOOK_SECRET=whsec_… node minimal-host.mjs
// (test/package/package-install.test.ts runs exactly this file from an installed tarball).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createExperimentsPlugin } from 'llm-experiments-plugin';

const env = process.env;
const tasks = [
  { id: 'refund', title: 'Refund', prompt: 'How do I get a refund?', evaluations: [{ type: 'contains', value: 'refund' }] },
  { id: 'hours', title: 'Opening hours', prompt: 'When are you open?', evaluations: [{ type: 'contains', value: 'open' }] },
];
const traces = new Map(); // traceId → spans

/** The host contract (plugin/host.ts): who calls, the tasks, the steps, the application's webhook, the traces. */
const host = {
  auth: async (request) => (request.headers.get('x-api-key') === env.API_KEY ? { projectId: 'demo', roles: ['admin'] } : null),
  tasks: {
    list: async () => ({ items: tasks }),
    getMany: async (_projectId, ids) => tasks.filter((task) => ids.includes(task.id)),
  },
  inferenceSteps: { list: async () => [{ externalId: 'answer', title: 'Answer', type: 'llm' }] },
  application: { get: async () => ({ url: env.APP_WEBHOOK_URL, secret: env.WEBHOOK_SECRET }) },
  traces: {
    get: async (projectId, traceId) => (traces.has(traceId) ? { traceId, projectId, spans: traces.get(traceId) } : null),
    pageUrl: (_projectId, traceId) => `/traces/${traceId}`,
  },
};

const plugin = createExperimentsPlugin(host, { databaseUrl: env.DATABASE_URL });
await plugin.migrate(); // creates the `experiments` schema
const app = new Hono();
app.route(plugin.manifest.mountPath, plugin.app); // the tab and its JSON API
app.post('/spans', async (c) => {
  const principal = await host.auth(c.req.raw);
  if (!principal) return c.json({ error: { code: 'unauthorized', message: 'send x-api-key' } }, 401);
  const { spans } = await c.req.json();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  await plugin.onSpansIngested(principal.projectId, spans); // after storing ingested spans
  return c.json({ stored: spans.length }, 202);
});

const worker = await plugin.createWorker(); // or run workers elsewhere
void worker.run();
serve({ fetch: app.fetch, port: Number(env.PORT ?? 3000) }, ({ port }) =>
  console.log(`host listening on http://127.0.0.1:${port}${plugin.manifest.mountPath}`),
);
