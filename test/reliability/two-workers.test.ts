import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kill, startWorkerProcess } from '../helpers/worker-process.js';
import { expectExactAccounting } from './run-accounting.js';
import { secondsSince, startBaselineRun, startReliabilityStack, untilFinished, waitForRunEnd, type ReliabilityStack } from './reliability-stack.js';

let env: ReliabilityStack;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  env = await startReliabilityStack({ demo: { latencyMs: 100, respond: 'after_pipeline' } });
});
afterAll(async () => {
  for (const worker of workers) await kill(worker);
  await env?.close();
});

describe('two worker processes on one run, one killed', () => {
  it('the other takes over its work; the run completes and every test is counted exactly once', async () => {
    const { stack } = env;
    // Two processes polling one task queue, as a team scales out on a Temporal cluster.
    workers.push(await startWorkerProcess(stack), await startWorkerProcess(stack));
    const run = await startBaselineRun(stack, { concurrency: 4, traceTimeoutSeconds: 120 });
    const start = Date.now();
    await untilFinished(env, run.runId, 150);
    await kill(workers[0]!, 'SIGKILL');
    const killedAt = secondsSince(start);
    const ended = await waitForRunEnd(stack, run, 180_000);
    console.log(`two workers: one killed at ${killedAt} s; run ended ${ended.status} after ${secondsSince(start)} s`, ended.counts);
    expect(ended.status).toBe('completed');
    const recount = await env.observer.fresh((db) => expectExactAccounting(db, ended, run.total));
    expect(recount.byStatus.timedOut).toBe(0);
    expect(recount.byStatus.errored).toBe(0);
  });
});
