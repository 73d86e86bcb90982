// `npm run start:phoenix`: the Experiments tab beside Arize Phoenix. Embedded Postgres and Temporal as `npm start`,
// plus a Phoenix (installed into .tools/phoenix-venv when missing, or PHOENIX_URL), the shell host with the plugin,
// a demo dataset in Phoenix, the simulated OpenAI-compatible model and the Python demo application.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { createExperimentsPlugin, type ExperimentsPlugin } from '../plugin/index.js';
import { saveInferenceStep } from '../hosts/phoenix/inference-step-repository.js';
import { createPhoenixShell, type PhoenixShell } from '../hosts/phoenix/phoenix-shell.js';
import { createProject, setProjectDataset } from '../hosts/phoenix/project-repository.js';
import { getWebhook, saveWebhook } from '../hosts/phoenix/webhook-repository.js';
import { startChatCompletionsServer } from './demo-app/chat-completions-server.js';
import { demoBaselineConfig, demoInferenceSteps } from './demo-app/demo-catalog.js';
import { demoDatasetName, demoDatasetUpload } from './demo-app-python/demo-dataset.js';
import { startPythonDemoApp } from './demo-app-python/python-demo-app.js';
import { demoApiKey } from './services/demo-api-key.js';
import { describeFailure } from './services/leftover-process.js';
import { onShutdownSignal } from './services/shutdown-signals.js';
import { listenAddress } from './services/listen-address.js';
import { withDemoApp } from './services/demo-webhook-allowance.js';
import { startEmbeddedPostgres } from './services/embedded-postgres.js';
import { ensurePhoenixInstalled } from './services/phoenix-install.js';
import { startPhoenixServer } from './services/phoenix-server.js';
import { preferredPort } from './services/preferred-port.js';
import { startTemporalDevServer } from './services/temporal-dev-server.js';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);
const settingsSchema = z.object({
  PORT: port(3100),
  DATA_DIR: z.string().min(1).default('.data/phoenix'),
  DATABASE_URL: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DEMO_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  PHOENIX_URL: z.url({ protocol: /^https?$/ }).optional(),
  PHOENIX_API_KEY: z.string().min(1).optional(),
  PHOENIX_AUTH: z.enum(['true', 'false']).default('false'),
  PHOENIX_PROJECT: z
    .string()
    .regex(/^[^/?#]{1,200}$/, 'must not hold / ? or #')
    .default('support-bot'),
  PHOENIX_PORT: port(6006),
  PHOENIX_GRPC_PORT: port(4317),
  DEMO_APP_PORT: port(3102),
  MODEL_PORT: port(3103),
  DEMO_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(20),
  POSTGRES_PORT: port(54339),
  TEMPORAL_PORT: port(7243),
  TEMPORAL_UI_PORT: port(8243),
});

function readSettings() {
  const parsed = settingsSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0])}: ${issue.message}`);
  throw new Error(`Invalid settings:\n${lines.join('\n')}`);
}

async function main() {
  const settings = readSettings();
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
      const postgres = await startEmbeddedPostgres({ dataDir, port: await preferredPort(settings.POSTGRES_PORT) });
      stops.push(() => postgres.stop());
      databaseUrl = postgres.url;
    }

    let temporalAddress = settings.TEMPORAL_ADDRESS;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      console.log('Starting the Temporal dev server…');
      const temporal = await startTemporalDevServer({
        dataDir: path.join(dataDir, 'temporal'),
        port: await preferredPort(settings.TEMPORAL_PORT),
        uiPort: await preferredPort(settings.TEMPORAL_UI_PORT),
      });
      stops.push(() => temporal.stop());
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl;
    }

    // The Python demo app runs from the same environment, so it is needed even with a Phoenix of your own.
    const venv = await ensurePhoenixInstalled({ log: (line) => console.log(line) });
    let phoenixUrl = settings.PHOENIX_URL?.replace(/\/+$/, '');
    let phoenixApiKey = settings.PHOENIX_API_KEY;
    if (!phoenixUrl) {
      console.log(`Starting Phoenix (data in ${path.join(dataDir, 'phoenix-server')}; the first start takes a minute or two)…`);
      const phoenix = await startPhoenixServer({
        venv,
        workingDir: path.join(dataDir, 'phoenix-server'),
        port: await preferredPort(settings.PHOENIX_PORT),
        grpcPort: await preferredPort(settings.PHOENIX_GRPC_PORT),
        auth: settings.PHOENIX_AUTH === 'true',
      });
      stops.push(() => phoenix.stop());
      phoenixUrl = phoenix.url;
      phoenixApiKey = phoenix.apiKey;
    }

    const { hostname, baseUrl } = listenAddress(settings.HOST, settings.PORT);
    // Webhooks reach public addresses and, on loopback, the Python demo application's port only (SSRF guard).
    const appPort = await preferredPort(settings.DEMO_APP_PORT);
    const webhookAllowedHosts = withDemoApp(process.env.EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS, appPort);
    const shell: PhoenixShell<ExperimentsPlugin> = await createPhoenixShell<ExperimentsPlugin>({
      databaseUrl,
      phoenix: { url: phoenixUrl, ...(phoenixApiKey ? { apiKey: phoenixApiKey } : {}) },
      pluginFactory: async (host) => {
        const plugin = createExperimentsPlugin(host, {
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
    stops.push(() => shell.close());
    const plugin = shell.plugin!;

    const apiKey = demoApiKey(dataDir, settings.DEMO_API_KEY);
    const project = await createProject(shell.sql, { name: 'Demo support bot', phoenixProject: settings.PHOENIX_PROJECT, apiKey });
    for (const step of demoInferenceSteps) await saveInferenceStep(shell.sql, project.id, step);
    const existing = await shell.phoenix.datasets.list({ name: demoDatasetName });
    const datasetId = existing.items[0]?.id ?? (await shell.phoenix.datasets.upload(demoDatasetUpload())).datasetId;
    await setProjectDataset(shell.sql, project.id, datasetId);

    const model = await startChatCompletionsServer({ port: await preferredPort(settings.MODEL_PORT), latencyMs: settings.DEMO_LATENCY_MS });
    stops.push(() => model.close());
    const webhookUrl = `http://127.0.0.1:${appPort}/webhook`;
    const saved = await saveWebhook(shell.sql, project.id, { url: webhookUrl });
    const secret = saved.secret ?? (await getWebhook(shell.sql, project.id))!.secret;
    const demo = await startPythonDemoApp({
      python: venv.python,
      port: appPort,
      phoenixUrl,
      ...(phoenixApiKey ? { phoenixApiKey } : {}),
      project: settings.PHOENIX_PROJECT,
      openaiBaseUrl: model.baseUrl,
      webhookSecret: secret,
    });
    stops.push(() => demo.stop());

    if (project.created) await seedExperiment(shell, apiKey);

    const worker = await plugin.createWorker();
    const workerRun = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
    });

    const server = serve({ fetch: shell.app.fetch, port: settings.PORT, hostname }) as Server;
    stops.push(() => new Promise((resolve) => server.close(resolve)));
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });

    console.log(`
Experiments with Phoenix is running.

  Open            ${baseUrl}/login?key=${encodeURIComponent(apiKey)}&next=${encodeURIComponent(`${plugin.manifest.mountPath}/`)}
  Experiments tab ${baseUrl}${plugin.manifest.mountPath}/
  API key         ${apiKey}   (demo project; send as x-api-key)
  Phoenix         ${phoenixUrl}   (project "${settings.PHOENIX_PROJECT}", dataset "${demoDatasetName}")${phoenixApiKey ? `\n  Phoenix key     ${phoenixApiKey}` : ''}
  Python demo app ${demo.url} (webhook ${demo.webhookUrl}; model ${model.baseUrl})
  Temporal        ${temporalAddress}${temporalUiUrl ? `  UI ${temporalUiUrl}` : ''}

Press Ctrl-C to stop; data is kept in ${dataDir}.`);
  } catch (error) {
    console.error(`Could not start: ${describeFailure(error)}`);
    await stopAll();
    process.exit(1);
  }
}

/** Gives a new demo project one experiment over the demo dataset, ready to run. */
async function seedExperiment(shell: PhoenixShell<ExperimentsPlugin>, apiKey: string) {
  const api = (method: string, route: string, body?: unknown) =>
    shell.app.request(`${shell.plugin!.manifest.mountPath}/api${route}`, {
      method,
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const tasks = await shell.host.tasks.list(
    (await shell.host.auth(new Request('http://x/', { headers: { 'x-api-key': apiKey } })))!.projectId,
    { limit: 500 },
  );
  const created = await api('POST', '/experiments', {
    name: 'Support bot: classifier temperature',
    description: 'A cooler classifier picks the right intent more often, so more answers name the right fix.',
  });
  if (created.status !== 201) throw new Error(`seeding the demo experiment failed: ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const chosen = await api('PATCH', `/experiments/${id}`, {
    inferenceSteps: demoInferenceSteps.map((s) => s.externalId),
    taskIds: tasks.items.map((t) => t.id),
  });
  if (!chosen.ok) throw new Error(`choosing the demo experiment's steps and tasks failed: ${await chosen.text()}`);
  const baseline = await api('PUT', `/experiments/${id}/baseline`, { config: demoBaselineConfig });
  if (!baseline.ok) throw new Error(`setting the demo experiment's baseline failed: ${await baseline.text()}`);
}

await main();
