// The plugin's Temporal worker in a process of its own, for the reference host: how workers scale out,
// and what the reliability tests kill and restart. Settings come from the environment (README).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
// The workflow bundle is built by a short-lived child process, so webpack never weighs on this one.
const workflowBundlePath = path.join(mkdtempSync(path.join(tmpdir(), 'experiments-worker-')), 'workflows.js');
execFileSync(process.execPath, ['--import', 'tsx', new URL('../workflows/build-workflow-bundle.ts', import.meta.url).pathname, workflowBundlePath], { stdio: 'inherit' });
const worker = await plugin.createWorker({ workflowBundlePath });
console.log(`worker ${process.pid} polling ${plugin.config.taskQueue}`);
await worker.run();
await plugin.close();
await hostDb.destroy();
