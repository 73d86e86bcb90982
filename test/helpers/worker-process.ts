import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RunStack } from './run-stack.js';

const root = path.resolve(import.meta.dirname, '../..');

// As the README tells operators to run it: the worker's live heap is about 50 MB, but uncapped V8 lets
// garbage grow to several hundred MB on a long run before collecting it.
const workerHeapCap = ['--max-old-space-size=128'];

/** The worker in a process of its own (`dev/worker.ts`), so a test can SIGKILL it like a crash. */
export async function startWorkerProcess(stack: RunStack, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...workerHeapCap, ...nodeArgs, '--import', 'tsx', 'dev/worker.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      EXPERIMENTS_TASK_QUEUE: stack.taskQueue,
      HOST_BASE_URL: stack.baseUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('polling')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  return child;
}

export function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
