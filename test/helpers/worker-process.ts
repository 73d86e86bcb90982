import type { ChildProcess } from 'node:child_process';
import { loopbackReceivers } from './receivers.js';
import type { RunStack } from './run-stack.js';
import { startTsxProcess } from './tsx-process.js';

// As the README tells operators to run it: the worker's live heap is about 50 MB, but uncapped V8 lets
// garbage grow to several hundred MB on a long run before collecting it.
const workerHeapCap = ['--max-old-space-size=128'];

/** The worker in a process of its own (`dev/worker.ts`), so a test can SIGKILL it like a crash. */
export async function startWorkerProcess(stack: RunStack, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ChildProcess> {
  const workerEnv = {
    ...process.env,
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    EXPERIMENTS_TASK_QUEUE: stack.taskQueue,
    HOST_BASE_URL: stack.baseUrl,
    EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS: loopbackReceivers,
    ...env,
  };
  const { child } = await startTsxProcess('dev/worker.ts', { env: workerEnv, nodeArgs: [...workerHeapCap, ...nodeArgs], ready: /polling/ });
  return child;
}

export function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
