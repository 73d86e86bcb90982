import type { ChildProcess } from 'node:child_process';
import type { RunStack } from '../helpers/run-stack.js';
import { kill, startWorkerProcess } from '../helpers/worker-process.js';

export interface WorkerCrash {
  /** Epoch ms. */
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The end of what the worker wrote to stderr. */
  output: string;
}

export interface SupervisedWorker {
  /** Exits nobody asked for, each followed by a restart. */
  crashes: WorkerCrash[];
  stop(): Promise<void>;
}

/**
 * Runs the worker process as a process manager would: when it exits on its own, the exit is recorded
 * and a new one started. A test can then both finish its run and report that the worker crashed.
 */
export async function superviseWorker(stack: RunStack): Promise<SupervisedWorker> {
  const crashes: WorkerCrash[] = [];
  let stopping = false;
  let child: ChildProcess;
  let restarting: Promise<void> = Promise.resolve();

  const watch = (process: ChildProcess) => {
    let output = '';
    process.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
    process.once('exit', (code, signal) => {
      if (stopping) return;
      crashes.push({ at: Date.now(), code, signal, output });
      restarting = restart();
      // Reported by stop(); until then a failed restart shows as the run not finishing.
      restarting.catch(() => {});
    });
    child = process;
  };
  const restart = async () => {
    for (let attempt = 1; !stopping; attempt += 1) {
      try {
        return watch(await startWorkerProcess(stack));
      } catch (error) {
        // e.g. it died again while starting; a process manager would keep trying.
        if (attempt === 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };
  watch(await startWorkerProcess(stack));

  return {
    crashes,
    async stop() {
      stopping = true;
      await restarting;
      await kill(child);
    },
  };
}
