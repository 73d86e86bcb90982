import { Client, Connection } from '@temporalio/client';
import type { Hono } from 'hono';
import { configFromEnv, parseConfig, type ExperimentsConfig, type ExperimentsConfigInput } from './config.js';
import type { ExperimentsHost, HostSpan } from './host.js';
import { manifest, type PluginManifest } from './manifest.js';
import { temporalConnectionOptions } from './temporal-connection.js';
import { connectDatabase, type Db } from './store/connect.js';
import { migrateToLatest } from './store/migrate.js';
import { createPluginApp } from './api/plugin-app.js';
import { createArrivalSignaller } from './traces/arrival-signals.js';
import { createEvaluationQueue } from './evaluation/evaluation-queue.js';
import { createOpenRunCheck } from './traces/open-run-check.js';
import { createBackgroundWork } from './traces/background-work.js';
import { linkBatches } from './traces/link-spans.js';
import { ingestSpans } from './operations/ingest-spans.js';
import { createSpanPuller } from './traces/span-puller.js';
import { createResultsWriteBack } from './host-results/results-write-back.js';
import type { Worker } from '@temporalio/worker';
import type { WorkerOptions } from '../workflows/worker.js';

export type { ExperimentsHost, HostSpan, HostTask, HostInferenceStep, HostApplication, HostTrace, HostPrincipal, Page } from './host.js';
export type { ExperimentsConfig, ExperimentsConfigInput } from './config.js';
export { manifest, type PluginManifest } from './manifest.js';
export {
  nextPathOf,
  isSameOriginRequest,
  createFailedKeyLimiter,
  clientOf,
  escapingLog,
  escapeControl,
  securityHeaders,
  type FailedKeyLimits,
  type SecurityHeaderOptions,
} from './host-security/index.js';

export interface ExperimentsPlugin {
  /** Mount at `manifest.mountPath`: `hostApp.route(manifest.mountPath, plugin.app)`. */
  app: Hono;
  manifest: PluginManifest;
  config: ExperimentsConfig;
  /** Call after spans are stored; links traces to tests and wakes their runs. */
  onSpansIngested(projectId: string, spans: HostSpan[]): Promise<void>;
  /** The plugin's Temporal client (connected on first use). */
  temporalClient(): Promise<Client>;
  /** Creates the plugin's schema and applies pending migrations. */
  migrate(): Promise<void>;
  /**
   * A Temporal worker for the plugin's task queue; `await worker.run()` to poll. On a host the plugin pulls spans
   * from (Phoenix), this also starts reading new spans while a run is in progress, until `close()`. The worker's code (and the Temporal
   * worker runtime) is loaded on this first call, so a process that only serves the tab never loads it.
   */
  createWorker(options?: WorkerOptions): Promise<Worker>;
  close(): Promise<void>;
}

/**
 * Creates the Experiments plugin for a host.
 *
 * @example
 * const plugin = createExperimentsPlugin(host, { databaseUrl: process.env.DATABASE_URL });
 * await plugin.migrate();
 * hostApp.route(plugin.manifest.mountPath, plugin.app);
 */
export function createExperimentsPlugin(host: ExperimentsHost, options: Partial<ExperimentsConfigInput> = {}): ExperimentsPlugin {
  const config = parseConfig({ ...configFromEnv(), ...options } as ExperimentsConfigInput);
  const db: Db = connectDatabase({ url: config.databaseUrl, schema: config.schema });
  let client: Promise<Client> | undefined;
  // A failed first connection is forgotten, so the next caller tries again: kept, it failed every later call until
  // a restart, though Temporal was back.
  const temporal = () =>
    (client ??= Connection.connect(temporalConnectionOptions(config)).then(
      (connection) => new Client({ connection, namespace: config.temporalNamespace }),
      (error: unknown) => {
        client = undefined;
        throw error;
      },
    ));

  const signaller = createArrivalSignaller(temporal);
  const evaluationQueue = createEvaluationQueue({ db, host, config, signaller });
  const background = createBackgroundWork();
  const openRuns = createOpenRunCheck(db);
  const links = linkBatches({ db, evaluationQueue });
  const context = { host, db, config, temporal, manifest, evaluationQueue, background, openRuns, links };
  const app = createPluginApp(context);
  // Hosts that keep traces to themselves (Phoenix) are read while a run is open, by the processes that run workers;
  // pushing hosts have no puller.
  const puller = createSpanPuller({
    db,
    host,
    intervalMs: config.spanPullIntervalMs,
    ingest: (projectId, spans) => ingestSpans(context, projectId, spans),
  });
  // Hosts with experiment views of their own (Phoenix) get each finished run, also from the worker processes.
  const writeBack = createResultsWriteBack({ db, host, intervalMs: Math.max(1_000, config.spanPullIntervalMs) });

  return {
    app,
    manifest,
    config,
    temporalClient: temporal,
    onSpansIngested: (projectId, spans) => ingestSpans(context, projectId, spans),
    migrate: async () => {
      await migrateToLatest(db, config.schema);
    },
    createWorker: async (workerOptions) => {
      const { createExperimentsWorker } = await import('../workflows/worker.js');
      const worker = await createExperimentsWorker({ host, db, config, ...workerOptions });
      puller?.start();
      writeBack?.start();
      return worker;
    },
    close: async () => {
      // Evaluations and signals still under way would otherwise hit a closed pool or connection.
      await puller?.stop();
      await writeBack?.stop();
      await links.drain();
      await background.drain();
      await evaluationQueue.drain();
      await signaller.drain();
      const connected = await client?.catch(() => undefined);
      if (connected) await connected.connection.close();
      await db.destroy();
    },
  };
}
