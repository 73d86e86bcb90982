import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { RunActivities, SweepResult } from './activities.js';
import { cancelRunSignal, progressQuery, testsSettledSignal, traceArrivedSignal, type TraceArrived } from './shared.js';

/** What one execution hands to the next when it continues as new. */
export interface CarriedState {
  cancelled: boolean;
  /** Arrivals signalled but not yet evaluated. */
  arrived: TraceArrived[];
}

export interface RunWorkflowInput {
  runId: string;
  carried?: CarriedState;
}

// Why deliveries are one activity with lanes rather than an activity per test: on a small machine each
// activity costs Temporal several history events and round trips, which capped throughput far below what
// the application could take and filled histories. The delivery activity keeps the concurrency bound
// (lanes), writes every outcome to Postgres and heartbeats; the workflow keeps the run's shape: deliveries,
// trace signals, evaluations, deadlines, cancellation and roll-over.

// Deliveries return after at most this many tests, fewer as the history fills (a test evaluated here costs
// its trace signal and a share of evaluation batches and workflow tasks: about four events at most; most
// tests are evaluated where their trace arrives and cost none), so the history rolls over near its budget.
const testsPerDelivery = 1_000;
const eventsPerTest = 4;
// Small batches, several at once: a trace's result is written within milliseconds of its arrival.
const evaluationBatch = 20;
const parallelEvaluations = 4;
// Deadlines and missed signals (e.g. Temporal was down when a trace came) are checked at least this often.
const sweepEveryMs = 10_000;
const tickMs = 1_000;

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;
// Short timeouts and heartbeats: when a worker dies, its activities are retried elsewhere within seconds.
const control = proxyActivities<RunActivities>({ startToCloseTimeout: '30s', retry });
const evaluator = proxyActivities<RunActivities>({ startToCloseTimeout: '15 minutes', heartbeatTimeout: '15s', retry });
const delivery = proxyActivities<RunActivities>({ startToCloseTimeout: '24 hours', heartbeatTimeout: '10s', retry });

/**
 * Executes one run: delivers every pending test with bounded concurrency, evaluates the traces signalled
 * to it (those needing an LLM judge; the plugin evaluates the rest where they arrive) and those its sweep
 * finds linked but unevaluated, times out the tests whose trace never comes, and finishes the run. Long
 * runs continue as new. All state that matters lives in Postgres; this workflow only orders the work.
 */
export async function runWorkflow({ runId, carried }: RunWorkflowInput): Promise<string | null> {
  const plan = await control.startRun(runId);
  if (!plan.open) return null;

  let cancelled = carried?.cancelled ?? false;
  const toEvaluate: TraceArrived[] = [];
  /** Test ids queued for or in evaluation, so a signal and a sweep never evaluate one twice. */
  const queued = new Set<string>();
  const enqueue = (arrival: TraceArrived) => {
    if (queued.has(arrival.testId)) return;
    queued.add(arrival.testId);
    toEvaluate.push(arrival);
  };
  for (const arrival of carried?.arrived ?? []) enqueue(arrival);

  let dirty = true;
  let delivering: CancellationScope | null = null;
  let pendingLeft = Number.POSITIVE_INFINITY;
  /** Whether the latest sweep ran after the last delivery ended (so its counts show what that delivery left). */
  let sweptSinceDelivery = false;
  let evaluating = 0;
  let sweep: SweepResult | null = null;
  let changedSinceSweep = true;
  // A fresh run has nothing to sweep yet: its first delivery starts at once, the first sweep follows within
  // `sweepEveryMs` or when the run goes quiet. (Runs started before this change keep sweeping first.)
  let lastSweep = !carried && patched('first-delivery-before-sweep') ? Date.now() : 0;
  let timerAt = 0;
  const wake = () => {
    dirty = true;
    changedSinceSweep = true;
  };

  setHandler(traceArrivedSignal, (arrival) => {
    enqueue(arrival);
    wake();
  });
  // The last open test got its result: look now rather than at the next tick, so the run ends promptly.
  let settled = false;
  setHandler(testsSettledSignal, () => {
    settled = true;
    wake();
  });
  setHandler(cancelRunSignal, () => {
    cancelled = true;
    delivering?.cancel();
    wake();
  });
  setHandler(progressQuery, () => {
    const counts = sweep?.counts;
    const done = counts ? counts.passed + counts.failed + counts.errored + counts.timedOut : 0;
    return { total: plan.total, done, inFlight: counts?.dispatched ?? 0, awaitingTrace: counts?.awaitingTrace ?? 0 };
  });

  // Deliveries, evaluations and timers run alongside the loop; each reports back by setting `dirty`, and a
  // failure that is not a cancellation fails the workflow task, to be retried by Temporal.
  const track = (promise: Promise<void>) => void promise;

  const deliver = () => {
    sweptSinceDelivery = false;
    const scope = new CancellationScope();
    delivering = scope;
    track(
      scope
        .run(() =>
          delivery.deliverTests(runId, {
            concurrency: plan.concurrency,
            awaitingLimit: plan.awaitingLimit,
            maxTests: Math.max(50, Math.min(testsPerDelivery, Math.floor((plan.historyBudget - workflowInfo().historyLength) / eventsPerTest))),
            traceTimeoutSeconds: plan.traceTimeoutSeconds,
          }),
        )
        .then(
          (result) => {
            pendingLeft = result.pendingLeft;
          },
          (error: unknown) => {
            if (!isCancellation(error)) throw error;
          },
        )
        .finally(() => {
          delivering = null;
          wake();
        }),
    );
  };

  const evaluate = (batch: TraceArrived[]) => {
    evaluating += 1;
    track(
      evaluator.evaluateTests(runId, batch).then(() => {
        evaluating -= 1;
        for (const arrival of batch) queued.delete(arrival.testId);
        wake();
      }),
    );
  };

  const isQuiet = () => delivering === null && evaluating === 0 && toEvaluate.length === 0;

  const armTimer = () => {
    let target: number;
    if (isQuiet() && changedSinceSweep) {
      // Something finished: look again soon (this is how the run notices it is done).
      target = lastSweep + tickMs;
    } else {
      const counts = sweep?.counts;
      const open = counts ? counts.pending + counts.dispatched + counts.awaitingTrace + counts.evaluating : 1;
      if (delivering === null && open === 0) return;
      target = Math.min(sweep?.nextDeadline ?? Number.POSITIVE_INFINITY, lastSweep + sweepEveryMs);
    }
    const at = Math.max(Math.ceil(target / tickMs) * tickMs, Date.now() + tickMs);
    if (timerAt !== 0 && timerAt <= at) return;
    timerAt = at;
    track(
      sleep(at - Date.now()).then(() => {
        if (timerAt === at) timerAt = 0;
        dirty = true;
        lastSweep = Math.min(lastSweep, at - sweepEveryMs);
      }),
    );
  };

  const rollingOver = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > plan.historyBudget;

  for (;;) {
    await condition(() => dirty);
    dirty = false;

    const sinceSweep = Date.now() - lastSweep;
    if (sinceSweep >= sweepEveryMs || (isQuiet() && changedSinceSweep && (sinceSweep >= tickMs || settled))) {
      changedSinceSweep = false;
      settled = false;
      lastSweep = Date.now();
      const afterDelivery = delivering === null;
      sweep = await control.sweep(runId);
      if (afterDelivery && delivering === null) sweptSinceDelivery = true;
      for (const arrival of sweep.arrived) enqueue(arrival);
    }

    while (toEvaluate.length > 0 && evaluating < parallelEvaluations) evaluate(toEvaluate.splice(0, evaluationBatch));

    const idle = isQuiet();
    if (cancelled && idle) break;
    // A test still `dispatched` when no delivery runs was claimed by a delivery that ended without sending it
    // (an attempt that timed out and was replaced while it waited on a database that had gone away): a new
    // delivery releases and sends it.
    const interrupted = sweptSinceDelivery && (sweep?.counts.dispatched ?? 0) > 0;
    if (!cancelled && delivering === null && (pendingLeft > 0 || interrupted) && !rollingOver()) deliver();

    const counts = sweep?.counts;
    const allClosed = counts !== undefined && counts.pending + counts.dispatched + counts.awaitingTrace + counts.evaluating === 0;
    if (!cancelled && idle && !changedSinceSweep && allClosed) break;
    if (!cancelled && idle && rollingOver()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof runWorkflow>({ runId, carried: { cancelled, arrived: toEvaluate } });
    }
    armTimer();
  }

  return control.finishRun(runId, cancelled);
}
