// The plugin's Temporal worker in a process of its own, for the reference host: how workers scale out,
// and what the reliability tests kill and restart. Settings come from the environment (README).
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createExperimentsPlugin } from '../plugin/index.js';
import { connectHostDatabase } from './host/host-database.js';
import { createHostCapabilities } from './host/host-capabilities.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is required: the Postgres holding the host and plugin tables.');
  process.exit(1);
}
Runtime.install({ logger: new DefaultLogger('WARN') });
const hostDb = connectHostDatabase({ url: databaseUrl });
const capabilities = createHostCapabilities(hostDb, { baseUrl: process.env.HOST_BASE_URL ?? 'http://localhost:3000' });
const plugin = createExperimentsPlugin(capabilities, { databaseUrl });
const worker = await plugin.createWorker();
console.log(`worker ${process.pid} polling ${plugin.config.taskQueue}`);
await worker.run();
await plugin.close();
await hostDb.destroy();
