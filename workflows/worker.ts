import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ExperimentsConfig } from '../plugin/config.js';
import type { ExperimentsHost } from '../plugin/host.js';
import type { Db } from '../plugin/store/connect.js';
import { temporalConnectionOptions } from '../plugin/temporal-connection.js';
import { createActivities } from './activities.js';

export const workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));

export interface WorkerOptions {
  /** Override the Temporal address (tests); defaults to the plugin config's. */
  connection?: NativeConnection;
  /** Activity slots; defaults to enough for the largest allowed run concurrency plus evaluations. */
  maxConcurrentActivities?: number;
}

/** A worker polling the plugin's task queue, its activities bound to this database and host. */
export async function createExperimentsWorker(options: {
  host: ExperimentsHost;
  db: Db;
  config: ExperimentsConfig;
} & WorkerOptions): Promise<Worker> {
  const { config } = options;
  const connection = options.connection ?? (await NativeConnection.connect(temporalConnectionOptions(config)));
  return Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowsPath,
    activities: createActivities({ db: options.db, host: options.host, config }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? config.maxConcurrency + 20,
  });
}
