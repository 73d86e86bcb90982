import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { RunActivities } from './activities.js';
import {
  deliveryLimit,
  evaluationBatches,
  lastSweepAfterTimer,
  nextStep,
  progressOf,
  shouldSweep,
  wakeAt,
  type RunState,
} from './run-decisions.js';
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
// trace signals, evaluations, deadlines, cancellation and roll-over. What to do next is decided in
// run-decisions.ts; this file does it.

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;
// Short timeouts and heartbeats: when a worker dies, its activities are retried elsewhere within seconds.
const control = proxyActivities<RunActivities>({ startToCloseTimeout: '30s', retry });
// A run's start as a local activity: the worker runs it inside the workflow's first task, instead of a round trip
// through Temporal's queue and a second workflow task before the first delivery (some tens of ms of a run's start).
const local = proxyLocalActivities<RunActivities>({ startToCloseTimeout: '30s', retry });
const evaluation = proxyActivities<RunActivities>({ startToCloseTimeout: '15 minutes', heartbeatTimeout: '15s', retry });
const delivery = proxyActivities<RunActivities>({ startToCloseTimeout: '24 hours', heartbeatTimeout: '10s', retry });
// Looking whether a run stops is worth a few quick tries, never a wait: the delivery looks before each claim and the
// next sweep looks again. Unbounded retries here held the whole loop (and the run) on a look that kept failing.
const stopping = proxyActivities<RunActivities>({ startToCloseTimeout: '10s', retry: { ...retry, maximumInterval: '2s', maximumAttempts: 3 } });

/**
 * Executes one run: delivers every pending test with bounded concurrency, evaluates the traces signalled
 * to it (those needing an LLM judge; the plugin evaluates the rest where they arrive) and those its sweep
 * finds linked but unevaluated, times out the tests whose trace never comes, and finishes the run. Long
 * runs continue as new. All state that matters lives in Postgres; this workflow only orders the work.
 */
export async function runWorkflow({ runId, carried }: RunWorkflowInput): Promise<string | null> {
  const plan = patched('start-run-local-activity') ? await local.startRun(runId) : await control.startRun(runId);
  if (!plan.open) return null;

  /** Arrivals waiting for an evaluation slot. */
  let waiting: TraceArrived[] = [];
  /** Test ids waiting for or in evaluation, so a signal and a sweep never evaluate one twice. */
  const queued = new Set<string>();
  const state: RunState = {
    cancelled: carried?.cancelled ?? false,
    delivering: false,
    evaluating: 0,
    waiting: 0,
    pendingLeft: Number.POSITIVE_INFINITY,
    sweptSinceDelivery: false,
    changedSinceSweep: true,
    settled: false,
    // A fresh run has nothing to sweep yet: its first delivery starts at once, the first sweep follows within
    // `sweepEveryMs` or when the run goes quiet. (Runs started before this change keep sweeping first.)
    lastSweep: 0,
    sweep: null,
  };
  const enqueue = (arrival: TraceArrived) => {
    if (queued.has(arrival.testId)) return;
    queued.add(arrival.testId);
    waiting.push(arrival);
    state.waiting = waiting.length;
  };
  for (const arrival of carried?.arrived ?? []) enqueue(arrival);
  state.lastSweep = !carried && patched('first-delivery-before-sweep') ? Date.now() : 0;

  let dirty = true;
  /** The run stopped sending (decided, or over budget); its unsent tests are not run. */
  let stopped = false;
  let delivering: CancellationScope | null = null;
  let timerAt: number | null = null;
  const wake = () => {
    dirty = true;
    state.changedSinceSweep = true;
  };

  setHandler(traceArrivedSignal, (arrival) => {
    enqueue(arrival);
    wake();
  });
  // The last open test got its result: look now rather than at the next tick, so the run ends promptly.
  setHandler(testsSettledSignal, () => {
    state.settled = true;
    wake();
  });
  setHandler(cancelRunSignal, () => {
    state.cancelled = true;
    delivering?.cancel();
    wake();
  });
  setHandler(progressQuery, () => progressOf(plan.total, state.sweep?.counts));

  // Deliveries, evaluations and timers run alongside the loop; each reports back by setting `dirty`, and a
  // failure that is not a cancellation fails the workflow task, to be retried by Temporal.
  const track = (promise: Promise<void>) => void promise;

  const deliver = () => {
    state.sweptSinceDelivery = false;
    const scope = new CancellationScope();
    delivering = scope;
    state.delivering = true;
    track(
      scope
        .run(() =>
          delivery.deliverTests(runId, {
            concurrency: plan.concurrency,
            awaitingLimit: plan.awaitingLimit,
            maxTests: deliveryLimit(plan.historyBudget, workflowInfo().historyLength, {
              pending: Math.min(state.pendingLeft, plan.total),
              concurrency: plan.concurrency,
            }),
            traceTimeoutSeconds: plan.traceTimeoutSeconds,
          }, plan.mayStop ?? false),
        )
        .then(
          (result) => {
            state.pendingLeft = result.pendingLeft;
          },
          (error: unknown) => {
            if (!isCancellation(error)) throw error;
          },
        )
        .finally(() => {
          delivering = null;
          state.delivering = false;
          wake();
        }),
    );
  };

  const evaluate = (batch: TraceArrived[]) => {
    state.evaluating += 1;
    track(
      evaluation.evaluateTests(runId, batch).then(() => {
        state.evaluating -= 1;
        for (const arrival of batch) queued.delete(arrival.testId);
        wake();
      }),
    );
  };

  const sweep = async () => {
    state.changedSinceSweep = false;
    state.settled = false;
    state.lastSweep = Date.now();
    const afterDelivery = !state.delivering;
    const found = await control.sweep(runId);
    state.sweep = found;
    // A run that may stop early is also checked here, not only while a delivery sends: the decision is the database's.
    if (plan.mayStop && !stopped) {
      stopped = await stopping.checkStopping(runId).catch((error: unknown) => {
        if (isCancellation(error)) throw error;
        return false;
      });
    }
    if (afterDelivery && !state.delivering) state.sweptSinceDelivery = true;
    for (const arrival of found.arrived) enqueue(arrival);
  };

  const armTimer = () => {
    const at = wakeAt(state, Date.now(), timerAt);
    if (at === null) return;
    timerAt = at;
    track(
      sleep(at - Date.now()).then(() => {
        if (timerAt === at) timerAt = null;
        dirty = true;
        state.lastSweep = lastSweepAfterTimer(state.lastSweep, at);
      }),
    );
  };

  const rollingOver = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > plan.historyBudget;

  for (;;) {
    await condition(() => dirty);
    dirty = false;
    if (shouldSweep(state, Date.now())) await sweep();

    const { batches, rest } = evaluationBatches(waiting, state.evaluating);
    waiting = rest;
    state.waiting = rest.length;
    for (const batch of batches) evaluate(batch);

    const next = nextStep(state, rollingOver());
    if (next.deliver) deliver();
    if (next.end === 'finish') break;
    if (next.end === 'continue_as_new') {
      await condition(allHandlersFinished);
      return continueAsNew<typeof runWorkflow>({ runId, carried: { cancelled: state.cancelled, arrived: waiting } });
    }
    armTimer();
  }

  return control.finishRun(runId, state.cancelled);
}
