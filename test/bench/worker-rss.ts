// The worker's memory, from the package's compiled JavaScript against the TypeScript paths it replaces (issue 21):
// `npm run build` first, then `tsx test/bench/worker-rss.ts`. Each way starts one worker process, polling a task queue
// of its own on a real Temporal dev server, and reads its resident set (VmRSS) once it is polling and has settled,
// and its peak (VmHWM, which includes bundling the workflows where the process does it itself).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchServices } from './bench-services.js';

const root = path.resolve(import.meta.dirname, '../..');
const settleMs = 10_000;

/** Starts a worker of the plugin imported from `entry` (source or dist) and says `ready` once it polls. */
const workerScript = (entry: string, bundlePath: string | null) => `
  const { createExperimentsPlugin } = await import(${JSON.stringify(entry)});
  const nothing = async () => null;
  const host = { auth: nothing, tasks: { list: async () => ({ items: [] }), getMany: async () => [] }, inferenceSteps: { list: async () => [] },
    application: { get: nothing }, traces: { get: nothing, pageUrl: () => '' } };
  const plugin = createExperimentsPlugin(host, { databaseUrl: process.env.DATABASE_URL, temporalAddress: process.env.TEMPORAL_ADDRESS,
    taskQueue: 'rss-' + process.pid });
  const worker = await plugin.createWorker(${bundlePath ? JSON.stringify({ workflowBundlePath: bundlePath }) : ''});
  const running = worker.run();
  console.log('ready');
  process.once('SIGTERM', () => worker.shutdown());
  await running;
  await plugin.close();`;

interface Way {
  name: string;
  args: string[];
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function measure(way: Way, env: Record<string, string>) {
  const started = Date.now();
  const child = spawn(process.execPath, way.args, { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`${way.name}: exited with ${code} before polling`)));
  });
  const startMs = Date.now() - started;
  await sleep(settleMs);
  const memory = memoryOf(child.pid!);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { ...memory, startMs };
}

if (!existsSync(path.join(root, 'dist/workflows/workflow-bundle.js'))) {
  console.error('Run `npm run build` first: the compiled worker is measured from dist/.');
  process.exit(1);
}
const services = await startBenchServices();
const scratch = mkdtempSync(path.join(tmpdir(), 'experiments-rss-'));
const prebuilt = path.join(scratch, 'workflows.js');
// A script file, not `-e`: the worker's workflow threads inherit the process's flags, and `--input-type` breaks them.
const script = (name: string, entry: string, bundlePath: string | null) => {
  const file = path.join(scratch, `${name}.mjs`);
  writeFileSync(file, workerScript(pathToFileURL(path.join(root, entry)).href, bundlePath));
  return file;
};
try {
  const env = { DATABASE_URL: await services.newDatabase('bench_worker_rss'), TEMPORAL_ADDRESS: services.temporalAddress };
  // dev/worker.ts's way: the bundle built by a short-lived child process, the worker itself through tsx.
  execFileSync(process.execPath, ['--import', 'tsx', 'workflows/build-workflow-bundle.ts', prebuilt], { cwd: root, stdio: 'inherit' });
  const ways: Way[] = [
    { name: 'tsx, bundling in the worker (createWorker() from source)', args: ['--import', 'tsx', script('source', 'plugin/index.ts', null)] },
    { name: 'tsx, bundle prebuilt by a child (dev/worker.ts)', args: ['--import', 'tsx', script('source-prebuilt', 'plugin/index.ts', prebuilt)] },
    { name: 'node, compiled package (dist/, its workflow bundle)', args: [script('package', 'dist/plugin/index.js', null)] },
  ];
  console.log(`| way | RSS after ${settleMs / 1000} s polling | peak RSS | start to polling |`);
  console.log('|---|---|---|---|');
  for (const way of ways) {
    const { rssMb, peakMb, startMs } = await measure(way, env);
    console.log(`| ${way.name} | ${rssMb.toFixed(0)} MB | ${peakMb.toFixed(0)} MB | ${(startMs / 1000).toFixed(1)} s |`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await services.stop();
}
