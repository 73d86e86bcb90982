import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kill, startWorkerProcess } from '../helpers/worker-process.js';
import { expectExactAccounting } from './run-accounting.js';
import {
  secondsSince,
  startBaselineRun,
  statusSnapshot,
  startReliabilityStack,
  untilFinished,
  waitForRunEnd,
  type ReliabilityStack,
} from './reliability-stack.js';

let env: ReliabilityStack;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  // The demo app answers only once its pipeline has run (about 200 ms), so with 4 lanes deliveries go on
  // through most of the run and each kill interrupts webhooks in flight; its trace may then arrive
  // before the plugin has recorded that the webhook was accepted.
  env = await startReliabilityStack({ demo: { latencyMs: 100, respond: 'after_pipeline' } });
});
afterAll(async () => {
  if (worker) await kill(worker);
  await env?.close();
});

describe('a worker killed with SIGKILL three times during a run', () => {
  it('is restarted each time; the run completes and every test is counted exactly once', async () => {
    const { stack } = env;
    worker = await startWorkerProcess(stack);
    const run = await startBaselineRun(stack, { concurrency: 4, traceTimeoutSeconds: 120 });
    const start = Date.now();

    const kills: Array<{ at: number; tests: Record<string, number> | null }> = [];
    for (const threshold of [100, 250, 400]) {
      await untilFinished(env, run.runId, threshold);
      await kill(worker, 'SIGKILL');
      kills.push({ at: secondsSince(start), tests: await statusSnapshot(env, run.runId) });
      // A new process, as a supervisor would start; Temporal hands it the dead worker's work once
      // the activities' heartbeats (and the workflow task) time out.
      worker = await startWorkerProcess(stack);
    }
    // Each kill struck a run still in progress.
    for (const k of kills) expect((k.tests?.passed ?? 0) + (k.tests?.failed ?? 0)).toBeLessThan(run.total);

    const ended = await waitForRunEnd(stack, run, 180_000);
    console.log(`worker kills: ${JSON.stringify(kills)}; run ended ${ended.status} after ${secondsSince(start)} s`, ended.counts);
    expect(ended.status).toBe('completed');
    const recount = await env.observer.fresh((db) => expectExactAccounting(db, ended, run.total));
    // Nothing here loses a trace: the host (which links them) stayed up, so no test may time out.
    expect(recount.byStatus.timedOut).toBe(0);
    expect(recount.byStatus.errored).toBe(0);
    console.log('worker kills: recount', recount);
  });
});
