import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryAttempts } from '../../plugin/webhook/deliver-tests.js';
import { expectExactAccounting } from './run-accounting.js';
import {
  okTasks,
  secondsSince,
  startBaselineRun,
  startReliabilityStack,
  waitForRunEnd,
  type ReliabilityStack,
} from './reliability-stack.js';
import { startTracingReceiver, type Answer, type TracingReceiver } from './tracing-receiver.js';

let env: ReliabilityStack;
let app: TracingReceiver | undefined;

/** A seeded generator (mulberry32): the same faults on every run, yet spread like random ones. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const webhookTimeoutMs = 500;

beforeAll(async () => {
  // A short webhook timeout, so a hanging answer costs half a second; the worker runs in this process
  // because the timeout is plugin configuration that the worker process takes only from its defaults.
  env = await startReliabilityStack({ demo: false, plugin: { webhookTimeoutMs } });
  const random = seeded(20_261_129);
  // 30% of webhooks fail: half with a 503, half by hanging past the plugin's timeout.
  app = await startTracingReceiver(env.stack, {
    answer: (): Answer => {
      const r = random();
      return r < 0.15 ? 'unavailable' : r < 0.3 ? 'hang' : 'accept';
    },
  });
  await env.stack.startWorker();
});
afterAll(async () => {
  await app?.close();
  await env?.close();
});

describe('an application failing 30% of webhooks with 503s and timeouts', () => {
  it('gets every test retried until accepted, errors only the tests whose every attempt failed, and counts each once', async () => {
    const { stack } = env;
    const run = await startBaselineRun(stack, { concurrency: 20, traceTimeoutSeconds: 60 }, okTasks);
    const start = Date.now();
    const ended = await waitForRunEnd(stack, run, 180_000);

    const requests = app!.receiver.received;
    const answers = [...app!.answers.values()].flat();
    const failed = answers.filter((a) => a !== 'accept').length;
    const neverAccepted = [...app!.answers].filter(([, given]) => !given.includes('accept')).map(([testId]) => testId);
    console.log(
      `flaky receiver: ${requests.length} webhooks for ${run.total} tests, ${failed} failed ` +
        `(${((failed / answers.length) * 100).toFixed(1)}%: ${answers.filter((a) => a === 'unavailable').length} × 503, ` +
        `${answers.filter((a) => a === 'hang').length} × hang); ${neverAccepted.length} tests failed all ${deliveryAttempts} attempts; ` +
        `run ended ${ended.status} after ${secondsSince(start)} s`,
      ended.counts,
    );

    // The fault was what it says: about 30% of all webhook requests failed.
    expect(failed / answers.length).toBeGreaterThan(0.2);
    expect(failed / answers.length).toBeLessThan(0.4);
    // Retries carry the same test id (webhook-id) and stop at the attempt limit.
    for (const request of requests) expect(request.headers['webhook-id']).toBe(request.body.testId);
    expect(app!.answers.size).toBe(run.total);
    for (const given of app!.answers.values()) expect(given.length).toBeLessThanOrEqual(deliveryAttempts);

    expect(ended.status).toBe('completed');
    const recount = await env.observer.fresh((db) => expectExactAccounting(db, ended, run.total));
    console.log('flaky receiver: recount', recount);
    // A test errors exactly when the application never accepted it, after all attempts.
    const errored = await env.observer.fresh((db) =>
      sql<{ test_id: string }>`select test_id from experiments.tests where run_id = ${run.runId} and status = 'errored'`.execute(db),
    );
    expect(errored.rows.map((row) => row.test_id).sort()).toEqual([...neverAccepted].sort());
    for (const testId of neverAccepted) expect(app!.answers.get(testId)).toHaveLength(deliveryAttempts);
    // Every accepted test's trace came and was evaluated: none waited in vain.
    expect(recount.byStatus.timedOut).toBe(0);
    expect(recount.byStatus.passed).toBe(run.total - neverAccepted.length);
  });
});
