// `npm start`: the reference host with the plugin mounted, a Temporal worker and the demo application,
// on embedded defaults (its own Postgres and Temporal dev server unless told otherwise).
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { createExperimentsPlugin, type ExperimentsPlugin } from '../plugin/index.js';
import { createReferenceHost } from './host/reference-host.js';
import { createProject } from './host/project-repository.js';
import { getWebhook, saveWebhook } from './host/webhook-repository.js';
import { createTask, listTasks } from './host/task-repository.js';
import { saveInferenceStep } from './host/inference-step-repository.js';
import { loadDemoModelConfig, startDemoApp } from './demo-app/index.js';
import { demoBaselineConfig, demoInferenceSteps, demoTasks } from './demo-app/demo-catalog.js';
import { startEmbeddedPostgres, type RunningPostgres } from './services/embedded-postgres.js';
import { startTemporalDevServer, type RunningTemporal } from './services/temporal-dev-server.js';
import { preferredPort } from './services/preferred-port.js';
import { demoApiKey } from './services/demo-api-key.js';
import { describeFailure } from './services/leftover-process.js';
import { onShutdownSignal } from './services/shutdown-signals.js';
import { listenAddress } from './services/listen-address.js';
import { withDemoApp } from './services/demo-webhook-allowance.js';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);
const settingsSchema = z.object({
  PORT: port(3000),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DEMO_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  // POST /api/projects takes this token (generated on the first start, kept in DATA_DIR); the demo flag opens it.
  HOST_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  DEMO_OPEN_PROJECT_CREATION: z.enum(['true', 'false']).default('false'),
  DEMO_APP_PORT: port(3001),
  POSTGRES_PORT: port(54329),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
});

function readSettings() {
  const parsed = settingsSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`);
  throw new Error(`Invalid settings:\n${lines.join('\n')}`);
}

async function main() {
  const settings = readSettings();
  // Worker start-up chatter (bundle statistics) would bury the lines people need; warnings still show.
  // Our own SIGINT/SIGTERM handler stops everything in order; Temporal's would end the process before the children.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const dataDir = path.resolve(settings.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: Error) => console.error(error.message));
  };
  onShutdownSignal(stopAll);

  try {
    let databaseUrl = settings.DATABASE_URL;
    if (!databaseUrl) {
      console.log(`Starting Postgres (data in ${path.join(dataDir, 'postgres')})…`);
      const postgres: RunningPostgres = await startEmbeddedPostgres({ dataDir, port: await preferredPort(settings.POSTGRES_PORT) });
      stops.push(() => postgres.stop());
      databaseUrl = postgres.url;
    }

    let temporalAddress = settings.TEMPORAL_ADDRESS;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      console.log('Starting the Temporal dev server…');
      const temporal: RunningTemporal = await startTemporalDevServer({
        dataDir: path.join(dataDir, 'temporal'),
        port: await preferredPort(settings.TEMPORAL_PORT),
        uiPort: await preferredPort(settings.TEMPORAL_UI_PORT),
      });
      stops.push(() => temporal.stop());
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl;
    }

    const { hostname, baseUrl } = listenAddress(settings.HOST, settings.PORT);
    // Webhooks reach public addresses and, on loopback, the demo application's port only (SSRF guard).
    const demoPort = await preferredPort(settings.DEMO_APP_PORT);
    const webhookAllowedHosts = withDemoApp(process.env.EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS, demoPort);
    const adminToken = demoApiKey(dataDir, settings.HOST_ADMIN_TOKEN, 'admin-token');
    const host = await createReferenceHost<ExperimentsPlugin>({
      databaseUrl,
      baseUrl,
      adminToken,
      allowProjectCreation: settings.DEMO_OPEN_PROJECT_CREATION === 'true',
      pluginFactory: async (capabilities) => {
        const plugin = createExperimentsPlugin(capabilities, {
          databaseUrl,
          temporalAddress,
          temporalNamespace: settings.TEMPORAL_NAMESPACE,
          webhookAllowedHosts,
          ...(temporalUiUrl ? { temporalUiUrl } : {}),
        });
        await plugin.migrate();
        return plugin;
      },
    });
    stops.push(() => host.close());
    const plugin = host.plugin!;

    const apiKey = demoApiKey(dataDir, settings.DEMO_API_KEY);
    const project = await createProject(host.db, { name: 'Demo support bot', apiKey });

    let secret = (await getWebhook(host.db, project.id))?.secret ?? '';
    const demo = await startDemoApp({ port: demoPort, secret: () => secret, hostUrl: baseUrl, apiKey, ...loadDemoModelConfig() });
    stops.push(() => demo.close());
    const saved = await saveWebhook(host.db, project.id, { url: demo.webhookUrl });
    secret = saved.secret ?? secret;

    await seedDemoProject(host, project.id, apiKey);

    const worker = await plugin.createWorker();
    const workerRun = worker.run();
    stops.push(async () => {
      // Temporal's runtime also reacts to SIGINT/SIGTERM and may already be shutting the worker down.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
    });

    const server = serve({ fetch: host.app.fetch, port: settings.PORT, hostname }) as Server;
    stops.push(() => new Promise((resolve) => server.close(resolve)));
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });

    console.log(`
Experiments is running.

  Open            ${baseUrl}/login?key=${encodeURIComponent(apiKey)}&next=${encodeURIComponent(`${plugin.manifest.mountPath}/`)}
  Experiments tab ${baseUrl}${plugin.manifest.mountPath}/
  API key         ${apiKey}   (demo project; send as x-api-key)
  Admin token     ${adminToken}   (POST /api/projects with authorization: Bearer <token>)
  Demo app        ${demo.url} (webhook ${demo.webhookUrl})
  Temporal        ${temporalAddress}${temporalUiUrl ? `  UI ${temporalUiUrl}` : ''}

Press Ctrl-C to stop; data is kept in ${dataDir}.`);
  } catch (error) {
    console.error(`Could not start: ${describeFailure(error)}`);
    await stopAll();
    process.exit(1);
  }
}

/** Gives a fresh demo project its steps, tasks and one experiment ready to run; a restart adds nothing. */
async function seedDemoProject(host: Awaited<ReturnType<typeof createReferenceHost<ExperimentsPlugin>>>, projectId: string, apiKey: string) {
  for (const step of demoInferenceSteps) await saveInferenceStep(host.db, projectId, step);
  const existing = await listTasks(host.db, projectId, { limit: 1 });
  if (existing.items.length > 0) return;
  const taskIds: string[] = [];
  for (const task of demoTasks) taskIds.push((await createTask(host.db, projectId, task)).id);

  const api = (method: string, route: string, body?: unknown) =>
    host.app.request(`${host.plugin!.manifest.mountPath}/api${route}`, {
      method,
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const created = await api('POST', '/experiments', {
    name: 'Support bot: classifier temperature',
    description: 'A cooler classifier picks the right intent more often, so more answers name the right fix.',
  });
  if (created.status !== 201) throw new Error(`seeding the demo experiment failed: ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  await api('PATCH', `/experiments/${id}`, { inferenceSteps: demoInferenceSteps.map((s) => s.externalId), taskIds });
  await api('PUT', `/experiments/${id}/baseline`, { config: demoBaselineConfig });
}

await main();
