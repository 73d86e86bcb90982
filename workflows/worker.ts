import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import type { ExperimentsConfig } from '../plugin/config.js';
import type { ExperimentsHost } from '../plugin/host.js';
import type { Db } from '../plugin/store/connect.js';
import { temporalConnectionOptions } from '../plugin/temporal-connection.js';
import { createActivities } from './activities.js';
import type { warmUpWorkflow } from './warm-up-workflow.js';
import { prebuiltWorkflowBundle, workflowsPath } from './workflows-path.js';

export interface WorkerOptions {
  /** Override the Temporal address (tests); defaults to the plugin config's. */
  connection?: NativeConnection;
  /** Activity slots; defaults to enough for the largest allowed run concurrency plus evaluations. */
  maxConcurrentActivities?: number;
  /**
   * A prebuilt workflow bundle (`workflows/build-workflow-bundle.ts`). Without it, a worker from the package loads the
   * bundle built with the package; one from source bundles the workflows at start.
   */
  workflowBundlePath?: string;
  /** Run a warm-up workflow against this worker as it starts polling (see warm-up-workflow.ts). Default true. */
  warmUp?: boolean;
}

// A run's start reads and claims on a few connections at once.
const warmConnections = 4;

/** A worker polling the plugin's task queue, its activities bound to this database and host. */
export async function createExperimentsWorker(options: {
  host: ExperimentsHost;
  db: Db;
  config: ExperimentsConfig;
} & WorkerOptions): Promise<Worker> {
  const { config } = options;
  const connection = options.connection ?? (await NativeConnection.connect(temporalConnectionOptions(config)));
  const bundlePath = options.workflowBundlePath ?? prebuiltWorkflowBundle();
  // While the worker loads its workflow bundle, not awaited: a fresh worker's first run otherwise opened these
  // connections on its way to the first webhook (about 70 ms). One that fails now is opened when first needed.
  void Promise.all(Array.from({ length: warmConnections }, () => sql`select 1`.execute(options.db))).catch(() => {});
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath }),
    // Each cached workflow keeps a V8 context: a bounded cache keeps a worker's memory flat on long runs.
    maxCachedWorkflows: 100,
    activities: createActivities({ db: options.db, host: options.host, config }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? config.maxConcurrency + 20,
  });
  if (options.warmUp !== false) void warmUp(connection, config);
  return worker;
}

/**
 * Starts the warm-up workflow and forgets it: its task waits in the queue until the worker polls. With several
 * workers on the queue, whichever polls first takes it. A failure costs nothing but the warm-up.
 */
async function warmUp(connection: NativeConnection, config: ExperimentsConfig) {
  try {
    const client = new Client({ connection, namespace: config.temporalNamespace });
    await client.workflow.start<typeof warmUpWorkflow>('warmUpWorkflow', {
      taskQueue: config.taskQueue,
      workflowId: `experiments-worker-warm-up-${randomUUID()}`,
      // A worker that never polls leaves it to expire.
      workflowExecutionTimeout: '1 minute',
    });
  } catch {
    // Temporal unreachable now: the worker's own polling will say so.
  }
}
