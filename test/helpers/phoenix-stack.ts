import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createExperimentsPlugin, type ExperimentsConfigInput, type ExperimentsPlugin } from '../../plugin/index.js';
import type { ExperimentsHost } from '../../plugin/host.js';
import { saveInferenceStep } from '../../hosts/phoenix/inference-step-repository.js';
import { createPhoenixShell, type PhoenixShell } from '../../hosts/phoenix/phoenix-shell.js';
import { createProject, setProjectDataset } from '../../hosts/phoenix/project-repository.js';
import { saveWebhook } from '../../hosts/phoenix/webhook-repository.js';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../dev/demo-app/chat-completions-server.js';
import { demoInferenceSteps } from '../../dev/demo-app/demo-catalog.js';
import { demoDatasetUpload } from '../../dev/demo-app-python/demo-dataset.js';
import { startPythonDemoApp, type PythonDemoApp } from '../../dev/demo-app-python/python-demo-app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { loopbackReceivers } from './receivers.js';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // installed by an earlier stack in this process
}

/**
 * Everything of `npm run start:phoenix` for one test file, all real: a Postgres database, the Phoenix shell with the
 * plugin mounted, a Temporal worker on a task queue of its own, the simulated model, the Python demo application
 * tracing into a Phoenix project of its own, and the demo dataset uploaded to Phoenix.
 */
export interface PhoenixStack {
  shell: PhoenixShell<ExperimentsPlugin>;
  plugin: ExperimentsPlugin;
  phoenixUrl: string;
  phoenixApiKey: string;
  phoenixProject: string;
  projectId: string;
  apiKey: string;
  datasetId: string;
  datasetVersion: string;
  /** The plugin's JSON API. */
  experiments<T = any>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startPhoenixStack(
  options: {
    plugin?: Partial<ExperimentsConfigInput>;
    ignoreOverrides?: string[];
    /** Where the shell (and so the plugin) reaches Phoenix, when not directly; the app always sends there directly. */
    shellPhoenixUrl?: string;
    modelLatencyMs?: number;
    /** A Phoenix of the test file's own (another auth mode, or one it restarts); default the run's shared one. */
    phoenix?: { url: string; apiKey?: string | undefined };
    /** The host as the plugin sees it, e.g. with spans it must miss. */
    wrapHost?: (host: ExperimentsHost) => ExperimentsHost;
  } = {},
): Promise<PhoenixStack> {
  const phoenixUrl = options.phoenix?.url ?? inject('phoenixUrl');
  const phoenixApiKey = options.phoenix ? (options.phoenix.apiKey ?? '') : inject('phoenixApiKey');
  const suffix = randomUUID().slice(0, 8);
  const phoenixProject = `experiments-${suffix}`;
  const stops: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const database: TestDatabase = await createTestDatabase('phoenix_stack');
    stops.push(() => database.drop());
    const shell = await createPhoenixShell<ExperimentsPlugin>({
      databaseUrl: database.url,
      phoenix: { url: options.shellPhoenixUrl ?? phoenixUrl, publicUrl: phoenixUrl, ...(phoenixApiKey ? { apiKey: phoenixApiKey } : {}) },
      log: () => {},
      pluginFactory: async (phoenixHost) => {
        const host = options.wrapHost ? options.wrapHost(phoenixHost) : phoenixHost;
        const plugin = createExperimentsPlugin(host, {
          databaseUrl: database.url,
          temporalAddress: inject('temporalAddress'),
          taskQueue: `experiments-phoenix-${randomBytes(4).toString('hex')}`,
          spanPullIntervalMs: 200,
          webhookAllowedHosts: loopbackReceivers,
          ...options.plugin,
        });
        await plugin.migrate();
        return plugin;
      },
    });
    stops.push(() => shell.close());
    const plugin = shell.plugin!;
    const project = await createProject(shell.sql, { name: 'Support bot', phoenixProject });
    for (const step of demoInferenceSteps) await saveInferenceStep(shell.sql, project.id, step);
    const uploaded = await shell.phoenix.datasets.upload(demoDatasetUpload(`support-bot-${suffix}`));
    await setProjectDataset(shell.sql, project.id, uploaded.datasetId);

    const model: ChatCompletionsServer = await startChatCompletionsServer({ port: 0, latencyMs: options.modelLatencyMs ?? 5 });
    stops.push(() => model.close());
    const webhook = await saveWebhook(shell.sql, project.id, { url: 'http://127.0.0.1:9/placeholder' });
    const app: PythonDemoApp = await startPythonDemoApp({
      python: path.join(inject('phoenixVenv'), 'bin', 'python'),
      phoenixUrl,
      ...(phoenixApiKey ? { phoenixApiKey } : {}),
      project: phoenixProject,
      openaiBaseUrl: model.baseUrl,
      webhookSecret: webhook.secret!,
      ...(options.ignoreOverrides ? { ignoreOverrides: options.ignoreOverrides } : {}),
    });
    stops.push(() => app.stop());
    await saveWebhook(shell.sql, project.id, { url: app.webhookUrl });

    const worker: Worker = await plugin.createWorker();
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const experiments = async <T>(method: string, route: string, body?: unknown) => {
      const response = await shell.app.request(`${plugin.manifest.mountPath}/api${route}`, {
        method,
        headers: { 'x-api-key': project.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    };
    return {
      shell,
      plugin,
      phoenixUrl,
      phoenixApiKey,
      phoenixProject,
      projectId: project.id,
      apiKey: project.apiKey,
      datasetId: uploaded.datasetId,
      datasetVersion: uploaded.versionId,
      experiments,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Polls a run until it has ended. */
export async function waitForPhoenixRun(stack: PhoenixStack, experimentId: string, runId: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await stack.experiments('GET', `/experiments/${experimentId}/runs/${runId}`);
    if (run.status !== 200) throw new Error(`run lookup failed: ${run.status} ${JSON.stringify(run.body)}`);
    if (!['pending', 'running'].includes(run.body.status)) return run.body;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} still ${run.body.status} after ${timeoutMs} ms: ${JSON.stringify(run.body.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
