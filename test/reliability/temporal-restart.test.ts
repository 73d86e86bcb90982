import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kill, startWorkerProcess } from '../helpers/worker-process.js';
import { expectExactAccounting } from './run-accounting.js';
import {
  finishedTests,
  secondsSince,
  startBaselineRun,
  startReliabilityStack,
  statusSnapshot,
  untilFinished,
  waitForRunEnd,
  type ReliabilityStack,
} from './reliability-stack.js';

let env: ReliabilityStack;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  // The demo app answers once its pipeline has run (about 200 ms), so with 4 lanes deliveries last
  // about 25 s: the outage strikes while traces are still coming in.
  env = await startReliabilityStack({ demo: { latencyMs: 100, respond: 'after_pipeline' } });
});
afterAll(async () => {
  vi.restoreAllMocks();
  if (worker) await kill(worker);
  await env?.close();
});

describe('the Temporal server restarted during a run', () => {
  it('traces go on being evaluated while it is down, the worker carries on, and every test is counted exactly once', async () => {
    const { stack, services } = env;
    // The plugin logs the signals it could not send (the trace links are already stored); count them.
    const failedSignals: number[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((message: unknown) => {
      const failed = /could not signal a run about (\d+) trace/.exec(String(message));
      if (failed) for (let i = 0; i < Number(failed[1]); i += 1) failedSignals.push(Date.now());
      else process.stderr.write(`${String(message)}\n`);
    });
    worker = await startWorkerProcess(stack);
    let workerExits = 0;
    worker.once('exit', () => (workerExits += 1));
    const run = await startBaselineRun(stack, { concurrency: 4, traceTimeoutSeconds: 120 });
    const start = Date.now();

    await untilFinished(env, run.runId, 100);
    const before = await statusSnapshot(env, run.runId);
    const downAt = Date.now();
    // Longer than the Temporal client's own retries of a call (about 20 s), so that signals really fail.
    await services.restartTemporal(22_000);
    const upAt = Date.now();
    const afterRestart = await statusSnapshot(env, run.runId);

    // The worker polls a server that went away and came back: it must pick up where it was.
    const resumedFrom = (await finishedTests(env, run.runId)) ?? 0;
    await untilFinished(env, run.runId, Math.min(resumedFrom + 50, run.total), 60_000);
    const workerSurvived = worker.exitCode === null && worker.signalCode === null;
    expect(workerSurvived, 'the worker process exited when the Temporal server went away').toBe(true);

    const ended = await waitForRunEnd(stack, run, 180_000);
    warn.mockRestore();
    const duringOutage = await env.observer.fresh(async (db) => {
      const window = sql`between to_timestamp(${downAt / 1000}) and to_timestamp(${upAt / 1000})`;
      const rows = await sql<{ linked: number; evaluated: number }>`
        select (select count(*) from experiments.trace_links l join experiments.tests t on t.test_id = l.test_id
                where t.run_id = ${run.runId} and l.root_span_at ${window})::int as linked,
               (select count(*) from experiments.tests where run_id = ${run.runId} and status in ('passed', 'failed')
                and finished_at ${window})::int as evaluated`.execute(db);
      return rows.rows[0]!;
    });
    const signalsDuringOutage = failedSignals.filter((at) => at >= downAt && at <= upAt).length;
    console.log(
      `temporal restart: stopped at ${((downAt - start) / 1000).toFixed(1)} s for ${((upAt - downAt) / 1000).toFixed(1)} s ` +
        `(tests before ${JSON.stringify(before)}, after ${JSON.stringify(afterRestart)}); while it was down ${duringOutage.linked} traces ` +
        `were linked and ${duringOutage.evaluated} tests evaluated; ${failedSignals.length} signals failed ` +
        `(${signalsDuringOutage} while the server was down; the last at ${failedSignals.length ? ((failedSignals.at(-1)! - start) / 1000).toFixed(1) : '-'} s); ` +
        `worker exits ${workerExits}; run ended ${ended.status} after ${secondsSince(start)} s`,
      ended.counts,
    );
    // The fault was real: traces arrived while Temporal was down. The plugin evaluates them where they arrive,
    // so their results did not wait for the server to come back.
    expect(duringOutage.linked).toBeGreaterThan(0);
    expect(duringOutage.evaluated).toBeGreaterThan(0);
    expect(ended.status).toBe('completed');
    const recount = await env.observer.fresh((db) => expectExactAccounting(db, ended, run.total));
    // No trace was lost to the outage: nothing timed out.
    expect(recount.byStatus.timedOut).toBe(0);
    expect(recount.byStatus.errored).toBe(0);
    console.log('temporal restart: recount', recount);
  });
});
