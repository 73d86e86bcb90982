import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import { inject } from 'vitest';
import { createExperimentsPlugin, type ExperimentsConfigInput, type ExperimentsPlugin } from '../../plugin/index.js';
import { createReferenceHost, type ReferenceHost } from '../../dev/host/reference-host.js';
import { createProject } from '../../dev/host/project-repository.js';
import { startDemoApp, type DemoServer, type DemoServerOptions } from '../../dev/demo-app/index.js';
import { demoInferenceSteps, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { freePort } from '../../dev/services/free-port.js';
import { loopbackReceivers } from './receivers.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/**
 * The whole system for one test file, all real and over real HTTP: Postgres database, reference
 * host with the plugin mounted, a Temporal worker on a task queue of its own, and the demo app.
 */
export interface RunStack {
  baseUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  apiKey: string;
  projectId: string;
  host: ReferenceHost<ExperimentsPlugin>;
  plugin: ExperimentsPlugin;
  demo: DemoServer | null;
  webhookSecret: string;
  api<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  /** Calls the plugin's API under its mount path. */
  experiments<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

// Worker chatter (state changes, bundle stats) would bury test output; warnings still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed by an earlier stack in this process
}

export async function startRunStack(options: {
  plugin?: Partial<ExperimentsConfigInput>;
  /** Demo app settings; `false` to point the webhook elsewhere yourself. */
  demo?: Partial<DemoServerOptions> | false;
  startWorker?: boolean;
  /** Deliver spans to the plugin through its signed HTTP hook, as a host in another process would. */
  spansViaHook?: boolean;
  /** Outside vitest (benchmarks): an empty database and a Temporal address to use instead of the test run's. */
  services?: { databaseUrl: string; temporalAddress: string };
} = {}): Promise<RunStack> {
  const database: TestDatabase = options.services
    ? { url: options.services.databaseUrl, drop: async () => {} }
    : await createTestDatabase('run');
  const temporalAddress = options.services?.temporalAddress ?? inject('temporalAddress');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const taskQueue = `experiments-test-${randomBytes(4).toString('hex')}`;
  const host = await createReferenceHost<ExperimentsPlugin>({
    databaseUrl: database.url,
    baseUrl,
    log: () => {},
    pluginFactory: async (capabilities) => {
      const plugin = createExperimentsPlugin(capabilities, {
        databaseUrl: database.url,
        temporalAddress,
        taskQueue,
        webhookTimeoutMs: 2_000,
        webhookAllowedHosts: loopbackReceivers,
        ...options.plugin,
      });
      await plugin.migrate();
      if (!options.spansViaHook) return plugin;
      const hookUrl = `${baseUrl}${plugin.manifest.mountPath}${plugin.manifest.trace.hookPath}`;
      return { ...plugin, onSpansIngested: (projectId, spans) => postSpanHook(hookUrl, plugin.config.hookSecret!, { projectId, spans }) };
    },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: host.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  const apiKey = `test_${randomBytes(12).toString('hex')}`;
  const project = await createProject(host.db, { name: 'Run tests', apiKey });
  const plugin = host.plugin!;

  const api = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as T) : (undefined as T) };
  };

  let webhookSecret = '';
  let demo: DemoServer | null = null;
  if (options.demo !== false) {
    demo = await startDemoApp({ port: 0, secret: () => webhookSecret, hostUrl: baseUrl, apiKey, latencyMs: 2, logger: quietLogger, ...options.demo });
    const saved = await api<{ secret: string }>('PUT', '/api/webhook', { url: demo.webhookUrl });
    webhookSecret = saved.body.secret;
  }
  for (const step of demoInferenceSteps) await api('POST', '/api/inference-steps', step);

  let worker: Worker | null = null;
  let running: Promise<void> | null = null;
  const stack: RunStack = {
    baseUrl,
    databaseUrl: database.url,
    temporalAddress,
    taskQueue,
    apiKey,
    projectId: project.id,
    host,
    plugin,
    demo,
    get webhookSecret() {
      return webhookSecret;
    },
    api,
    experiments: (method, path, body) => api(method, `/plugins/experiments/api${path}`, body),
    async startWorker() {
      if (worker) return;
      worker = await plugin.createWorker();
      running = worker.run();
    },
    async stopWorker() {
      if (!worker) return;
      worker.shutdown();
      await running;
      worker = null;
      running = null;
    },
    async close() {
      await stack.stopWorker();
      await demo?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await host.close();
      await database.drop();
    },
  };
  if (options.startWorker !== false) await stack.startWorker();
  return stack;
}

/** What a host in another process does after storing spans: a signed POST to the plugin's hook. */
export async function postSpanHook(url: string, secret: string, body: unknown) {
  const payload = JSON.stringify(body);
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const now = new Date();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, now, payload),
    },
    body: payload,
  });
  if (response.status !== 202) throw new Error(`span hook answered ${response.status}: ${await response.text()}`);
}

const quietLogger = { info: () => {}, warn: () => {}, error: (...args: unknown[]) => console.error('[demo]', ...args) };

/** Creates tasks in the host (the demo catalog's by default) and returns their ids. */
export async function createTasks(stack: RunStack, tasks: ReadonlyArray<Record<string, unknown>> = demoTasks as never): Promise<string[]> {
  const ids: string[] = [];
  for (const task of tasks) {
    const created = await stack.api<{ id: string }>('POST', '/api/tasks', task);
    if (created.status !== 201) throw new Error(`task not created: ${created.status} ${JSON.stringify(created.body)}`);
    ids.push(created.body.id);
  }
  return ids;
}

/** Polls a run until it has ended, and returns it. */
export async function waitForRun(stack: RunStack, experimentId: string, runId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await stack.experiments('GET', `/experiments/${experimentId}/runs/${runId}`);
    if (run.status !== 200) throw new Error(`run lookup failed: ${run.status} ${JSON.stringify(run.body)}`);
    if (!['pending', 'running'].includes(run.body.status)) return run.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.body.status} after ${timeoutMs} ms: ${JSON.stringify(run.body.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** An experiment with the demo steps and the given tasks, its baseline configured: ready to run. */
export async function createReadyExperiment(stack: RunStack, taskIds: string[], baseline: Record<string, Record<string, unknown>>) {
  const created = await stack.experiments('POST', '/experiments', { name: `Experiment ${randomBytes(3).toString('hex')}` });
  if (created.status !== 201) throw new Error(`experiment not created: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const patched = await stack.experiments('PATCH', `/experiments/${id}`, { inferenceSteps: Object.keys(baseline), taskIds });
  if (patched.status !== 200) throw new Error(`selection refused: ${patched.status} ${JSON.stringify(patched.body)}`);
  const put = await stack.experiments('PUT', `/experiments/${id}/baseline`, { config: baseline });
  if (put.status !== 200) throw new Error(`baseline refused: ${put.status} ${JSON.stringify(put.body)}`);
  const experiment = await stack.experiments('GET', `/experiments/${id}`);
  return { id, baselineVariantId: findBaseline(experiment.body) };
}

function findBaseline(experiment: any): string {
  const stack = [...(experiment.variants ?? [])];
  while (stack.length) {
    const v = stack.shift();
    if (v.isBaseline) return v.id;
    stack.push(...(v.children ?? []));
  }
  throw new Error(`no baseline variant in ${JSON.stringify(experiment)}`);
}
