import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kill, startWorkerProcess } from '../helpers/worker-process.js';
import { expectExactAccounting } from './run-accounting.js';
import {
  secondsSince,
  startBaselineRun,
  statusSnapshot,
  startReliabilityStack,
  waitForRunEnd,
  type ReliabilityStack,
} from './reliability-stack.js';

// Issue 20: a run asked for 250 tests a second (50 lanes, each webhook answered after a pipeline of about 200 ms),
// its worker killed with SIGKILL twice while deliveries and outcome writes are in flight in every lane. What a lane
// had sent but not yet recorded is sent again with the same test id; nothing may be lost or counted twice.
let env: ReliabilityStack;
let worker: ChildProcess | undefined;

/** Waits until at least `n` of the run's tests have been accepted by the application (or ended). */
async function untilDelivered(runId: string, n: number) {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const rows = await env.observer.read((db) =>
      sql<{ n: number }>`select count(*)::int as n from experiments.tests where run_id = ${runId} and status not in ('pending', 'dispatched')`.execute(db),
    );
    if (rows && rows.rows[0]!.n >= n) return;
  }
  throw new Error(`fewer than ${n} tests delivered in two minutes`);
}

beforeAll(async () => {
  env = await startReliabilityStack({ demo: { latencyMs: 100, respond: 'after_pipeline' } });
});
afterAll(async () => {
  if (worker) await kill(worker);
  await env?.close();
});

describe('a worker killed twice during a run at 250 tests a second', () => {
  it('is restarted each time; the run completes and every test is counted exactly once', async () => {
    const { stack } = env;
    worker = await startWorkerProcess(stack);
    const run = await startBaselineRun(stack, { concurrency: 50, traceTimeoutSeconds: 120 });
    const start = Date.now();

    const kills: Array<{ at: number; tests: Record<string, number> | null }> = [];
    // Deliveries go at up to 250 a second, so the kills are timed by deliveries, not results: both strike while
    // tests are still waiting to be sent.
    for (const threshold of [100, 250]) {
      await untilDelivered(run.runId, threshold);
      await kill(worker, 'SIGKILL');
      kills.push({ at: secondsSince(start), tests: await statusSnapshot(env, run.runId) });
      worker = await startWorkerProcess(stack);
    }
    // Each kill struck while tests were still to be sent.
    for (const k of kills) expect((k.tests?.pending ?? 0) + (k.tests?.dispatched ?? 0)).toBeGreaterThan(0);

    const ended = await waitForRunEnd(stack, run, 180_000);
    console.log(`fast worker kills: ${JSON.stringify(kills)}; run ended ${ended.status} after ${secondsSince(start)} s`, ended.counts);
    expect(ended.status).toBe('completed');
    const recount = await env.observer.fresh((db) => expectExactAccounting(db, ended, run.total));
    expect(recount.byStatus.timedOut).toBe(0);
    expect(recount.byStatus.errored).toBe(0);
  });
});
