import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunActivities, RunPlan, SweepResult } from '../../workflows/activities.js';
import { runWorkflow } from '../../workflows/run-workflow.js';
import { cancelRunSignal, traceArrivedSignal, type TraceArrived } from '../../workflows/shared.js';
import { workflowsPath } from '../../workflows/workflows-path.js';
import { temporalTestServerPath } from '../helpers/temporal-test-server.js';

// The run workflow on Temporal's time-skipping test server, its activities replaced by an in-memory run: minutes of
// trace timeouts pass in moments, so deadlines, sweeps, cancellation and roll-over are seen as Temporal runs them.
// (The end-to-end tests run the real activities against Postgres and a dev server.)

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

type TestState = 'pending' | 'awaiting' | 'evaluating' | 'passed' | 'timed_out' | 'errored';

/** A run of `tests` tests held in memory, with the activities' contract: what the real ones do to Postgres. */
function fakeRun(options: { tests: number; traceTimeoutMs: number; historyBudget?: number; perDelivery?: number; holdDeliveries?: boolean; mayStop?: boolean }) {
  const tests = new Map<string, { state: TestState; deadline: number | null }>();
  for (let i = 0; i < options.tests; i += 1) tests.set(`test-${i}`, { state: 'pending', deadline: null });
  const calls = { startRun: 0, deliveries: 0, sweeps: [] as number[], evaluated: [] as string[], finished: [] as boolean[] };
  const now = () => Context.current().info.scheduledTimestampMs;
  const count = (state: TestState) => [...tests.values()].filter((test) => test.state === state).length;

  const activities: Partial<RunActivities> = {
    async startRun(): Promise<RunPlan> {
      calls.startRun += 1;
      return {
        open: calls.finished.length === 0, concurrency: 2, awaitingLimit: 20, traceTimeoutSeconds: options.traceTimeoutMs / 1000, total: tests.size,
        historyBudget: options.historyBudget ?? 4_000, mayStop: options.mayStop ?? false,
      };
    },
    async deliverTests() {
      calls.deliveries += 1;
      const context = Context.current();
      if (options.holdDeliveries) {
        // Like the real delivery: heartbeats until it is cancelled.
        while (!context.cancellationSignal.aborted) {
          context.heartbeat();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return { claimed: 0, pendingLeft: count('pending') };
      }
      const claimed = [...tests.values()].filter((test) => test.state === 'pending').slice(0, options.perDelivery ?? tests.size);
      for (const test of claimed) Object.assign(test, { state: 'awaiting', deadline: now() + options.traceTimeoutMs });
      return { claimed: claimed.length, pendingLeft: count('pending') };
    },
    async sweep(): Promise<SweepResult> {
      const at = now();
      calls.sweeps.push(at);
      let timedOut = 0;
      for (const test of tests.values()) {
        if (test.state === 'awaiting' && test.deadline !== null && test.deadline <= at) {
          test.state = 'timed_out';
          timedOut += 1;
        }
      }
      const deadlines = [...tests.values()].flatMap((test) => (test.state === 'awaiting' && test.deadline !== null ? [test.deadline] : []));
      const arrived = [...tests.entries()].filter(([, test]) => test.state === 'evaluating').map(([testId]) => ({ testId, traceId: `trace-${testId}` }));
      return {
        timedOut,
        arrived,
        counts: {
          total: tests.size,
          pending: count('pending'),
          dispatched: 0,
          awaitingTrace: count('awaiting'),
          evaluating: count('evaluating'),
          passed: count('passed'),
          failed: 0,
          errored: count('errored'),
          timedOut: count('timed_out'),
          notRun: 0,
        },
        nextDeadline: deadlines.length > 0 ? Math.min(...deadlines) : null,
      };
    },
    async evaluateTests(_runId: string, arrivals: TraceArrived[]) {
      for (const arrival of arrivals) {
        calls.evaluated.push(arrival.testId);
        const test = tests.get(arrival.testId);
        if (test && (test.state === 'awaiting' || test.state === 'evaluating')) test.state = 'passed';
      }
      return arrivals.length;
    },
    async finishRun(_runId: string, cancelled: boolean) {
      calls.finished.push(cancelled);
      if (cancelled) for (const test of tests.values()) if (test.state !== 'passed' && test.state !== 'timed_out') test.state = 'errored';
      return cancelled ? 'cancelled' : 'completed';
    },
  };
  /** The application's trace arrives and is linked outside the workflow (the sweep will find it). */
  const linkTrace = (testId: string) => {
    const test = tests.get(testId);
    if (test?.state === 'awaiting') test.state = 'evaluating';
  };
  return { activities, calls, tests, linkTrace, count };
}

let queueNumber = 0;
async function withWorker<T>(activities: Partial<RunActivities>, body: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `run-workflow-${++queueNumber}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities });
  return worker.runUntil(body(taskQueue));
}

describe('the run workflow on the time-skipping test server', () => {
  it('times out tests whose trace never comes at their deadline, sweeping on timers rather than spinning, and finishes', async () => {
    const run = fakeRun({ tests: 3, traceTimeoutMs: 300_000 });
    const started = await env.currentTimeMs();
    const result = await withWorker(run.activities, (taskQueue) =>
      env.client.workflow.execute(runWorkflow, { taskQueue, workflowId: 'times-out', args: [{ runId: 'run-1' }] }),
    );
    expect(result).toBe('completed');
    expect(run.count('timed_out')).toBe(3);
    expect(run.calls.finished).toEqual([false]);
    // Five minutes passed on the workflow's clock, and the run was swept about every ten seconds of it, not more.
    const lastSweep = run.calls.sweeps.at(-1)!;
    expect(lastSweep - started).toBeGreaterThanOrEqual(300_000);
    expect(run.calls.sweeps.length).toBeGreaterThan(20);
    expect(run.calls.sweeps.length).toBeLessThan(45);
  }, 120_000);

  it('evaluates a signalled trace once, even when its sweep also finds it, and finishes when every test is closed', async () => {
    const run = fakeRun({ tests: 2, traceTimeoutMs: 60_000 });
    const result = await withWorker(run.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(runWorkflow, { taskQueue, workflowId: 'signalled', args: [{ runId: 'run-2' }] });
      // Wait (on the workflow's clock) until the delivery has run, then let both traces arrive.
      while (run.calls.deliveries === 0) await env.sleep(1_000);
      run.linkTrace('test-0');
      run.linkTrace('test-1');
      await handle.signal(traceArrivedSignal, { testId: 'test-0', traceId: 'trace-test-0' });
      return handle.result();
    });
    expect(result).toBe('completed');
    expect(run.count('passed')).toBe(2);
    expect([...run.calls.evaluated].sort()).toEqual(['test-0', 'test-1']);
  }, 120_000);

  it('stops a delivery under way when cancelled and finishes the run as cancelled', async () => {
    const run = fakeRun({ tests: 4, traceTimeoutMs: 60_000, holdDeliveries: true });
    const result = await withWorker(run.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(runWorkflow, { taskQueue, workflowId: 'cancelled', args: [{ runId: 'run-3' }] });
      while (run.calls.deliveries === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await handle.signal(cancelRunSignal, { actor: 'tester' });
      return handle.result();
    });
    expect(result).toBe('cancelled');
    expect(run.calls.finished).toEqual([true]);
    expect(run.count('errored')).toBe(4);
  }, 120_000);

  it('finishes a run that may stop even when every look at whether it stops fails: a look is tried a few times, never waited on', async () => {
    const run = fakeRun({ tests: 3, traceTimeoutMs: 15_000, mayStop: true });
    let looks = 0;
    const activities: Partial<RunActivities> = {
      ...run.activities,
      async checkStopping() {
        looks += 1;
        throw new Error('the database is away');
      },
    };
    const result = await withWorker(activities, (taskQueue) =>
      env.client.workflow.execute(runWorkflow, { taskQueue, workflowId: 'looks-fail', args: [{ runId: 'run-5' }] }),
    );
    expect(result).toBe('completed');
    expect(run.count('timed_out')).toBe(3);
    // Each sweep's look: three attempts, then the run goes on.
    expect(looks).toBeGreaterThanOrEqual(3);
    expect(looks % 3).toBe(0);
  }, 120_000);

  it('continues as new when the history nears its budget, and the next execution finishes the run', async () => {
    const run = fakeRun({ tests: 30, traceTimeoutMs: 20_000, historyBudget: 60, perDelivery: 5 });
    const result = await withWorker(run.activities, (taskQueue) =>
      env.client.workflow.execute(runWorkflow, { taskQueue, workflowId: 'rolls-over', args: [{ runId: 'run-4' }] }),
    );
    expect(result).toBe('completed');
    expect(run.calls.startRun).toBeGreaterThan(1);
    expect(run.calls.finished).toEqual([false]);
    expect(run.count('timed_out')).toBe(30);
  }, 120_000);
});
