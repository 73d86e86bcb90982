import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { DispatchResult, RunActivities, RunPlan } from './activities.js';
import { maxDispatchAttempts } from './dispatch-policy.js';
import { cancelRunSignal, progressQuery, traceArrivedSignal, type TraceArrived } from './shared.js';

/** What one execution hands to the next when it continues as new. */
export interface CarriedState {
  cursor: number;
  /** testId → deadline (epoch ms) of accepted tests still waiting for their trace. */
  awaiting: Record<string, number>;
  arrived: TraceArrived[];
  cancelled: boolean;
  done: number;
}

export interface RunWorkflowInput {
  runId: string;
  carried?: CarriedState;
}

// Continue as new well before Temporal's 10,240-event warning; one test costs about 6 to 10 events.
const historyBudget = 4_000;
const pageSize = 200;
const evaluationBatch = 50;
const parallelEvaluations = 2;
// Arrivals whose signal was lost (e.g. Temporal was down when the trace came) are found by a sweep.
const sweepEveryMs = 10_000;
// Deadlines are checked on a coarse clock so a run of thousands of tests sets few timers.
const tickMs = 1_000;

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;
// Short timeouts: when a worker dies, its activities are retried elsewhere after at most this long.
const control = proxyActivities<RunActivities>({ startToCloseTimeout: '30s', retry });
// Evaluation may call an LLM judge; it heartbeats per test so a dead worker is noticed in seconds.
const evaluator = proxyActivities<RunActivities>({ startToCloseTimeout: '15 minutes', heartbeatTimeout: '15s', retry });

/**
 * Executes one run: dispatches every pending test with bounded concurrency, waits for traces,
 * evaluates them in batches, times out the rest and finishes the run. Long runs continue as new.
 */
export async function runWorkflow({ runId, carried }: RunWorkflowInput): Promise<string | null> {
  const plan: RunPlan = await control.startRun(runId);
  if (!plan.open) return null;

  const dispatcher = proxyActivities<RunActivities>({
    startToCloseTimeout: plan.webhookTimeoutMs + 5_000,
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: maxDispatchAttempts },
  });

  let cursor = carried?.cursor ?? -1;
  let cancelled = carried?.cancelled ?? false;
  let done = carried?.done ?? 0;
  const awaiting = new Map<string, number>(Object.entries(carried?.awaiting ?? {}));
  const toEvaluate: TraceArrived[] = [...(carried?.arrived ?? [])];
  const queue: Array<{ testRowId: string; testId: string; position: number }> = [];
  /** Accepted-or-not is unknown yet; an early trace waits here for its dispatch to return. */
  const dispatching = new Set<string>();
  const earlyArrivals = new Map<string, TraceArrived>();
  let exhausted = false;
  let evaluating = 0;
  let dirty = true;
  let timerAt = 0;
  let lastSweep = Date.now();

  setHandler(traceArrivedSignal, (arrival) => {
    if (awaiting.delete(arrival.testId)) toEvaluate.push(arrival);
    else if (dispatching.has(arrival.testId)) earlyArrivals.set(arrival.testId, arrival);
    dirty = true;
  });
  setHandler(cancelRunSignal, () => {
    cancelled = true;
    dirty = true;
  });
  setHandler(progressQuery, () => ({
    total: plan.total,
    done,
    inFlight: dispatching.size,
    awaitingTrace: awaiting.size,
  }));

  const background = new Set<Promise<void>>();
  const track = (promise: Promise<void>) => {
    background.add(promise);
    void promise.finally(() => background.delete(promise));
  };

  const dispatch = (ref: { testRowId: string; testId: string; position: number }) => {
    dispatching.add(ref.testId);
    track(
      dispatcher.dispatchTest(runId, ref, plan.traceTimeoutSeconds).then((result: DispatchResult) => {
        dispatching.delete(ref.testId);
        const early = earlyArrivals.get(ref.testId);
        earlyArrivals.delete(ref.testId);
        if (result.outcome === 'accepted') {
          if (early) toEvaluate.push(early);
          else awaiting.set(ref.testId, result.deadline);
        } else {
          done += 1;
        }
        dirty = true;
      }),
    );
  };

  const evaluate = (batch: TraceArrived[]) => {
    evaluating += 1;
    track(
      evaluator.evaluateTests(runId, batch).then(() => {
        evaluating -= 1;
        done += batch.length;
        dirty = true;
      }),
    );
  };

  const armTimer = () => {
    if (awaiting.size === 0) return;
    const nearest = Math.min(...awaiting.values(), lastSweep + sweepEveryMs);
    const at = Math.max(Math.ceil(nearest / tickMs) * tickMs, Date.now() + tickMs);
    if (timerAt !== 0 && timerAt <= at) return;
    timerAt = at;
    track(
      sleep(at - Date.now()).then(() => {
        if (timerAt === at) timerAt = 0;
        dirty = true;
      }),
    );
  };

  const handleDeadlinesAndSweep = async () => {
    const now = Date.now();
    const expired = [...awaiting].filter(([, deadline]) => deadline <= now).map(([testId]) => testId);
    if (expired.length > 0) {
      for (const testId of expired) awaiting.delete(testId);
      const { timedOut, arrived } = await control.timeOutTests(expired);
      done += timedOut.length;
      toEvaluate.push(...arrived);
    }
    if (awaiting.size > 0 && now - lastSweep >= sweepEveryMs) {
      lastSweep = now;
      const found = await control.findArrivals([...awaiting.keys()]);
      for (const arrival of found) if (awaiting.delete(arrival.testId)) toEvaluate.push(arrival);
    }
  };

  const rollingOver = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyBudget;

  for (;;) {
    await condition(() => dirty);
    dirty = false;
    await handleDeadlinesAndSweep();

    while (toEvaluate.length > 0 && evaluating < parallelEvaluations) evaluate(toEvaluate.splice(0, evaluationBatch));

    const stopDispatching = cancelled || rollingOver();
    if (!stopDispatching) {
      if (!exhausted && queue.length < plan.concurrency) {
        const page = await control.nextPendingTests(runId, cursor, pageSize);
        if (page.length < pageSize) exhausted = true;
        const last = page.at(-1);
        if (last) cursor = last.position;
        queue.push(...page);
      }
      while (queue.length > 0 && dispatching.size < plan.concurrency && dispatching.size + awaiting.size < plan.awaitingLimit) {
        dispatch(queue.shift()!);
      }
    }

    const idle = dispatching.size === 0 && evaluating === 0 && toEvaluate.length === 0;
    if (cancelled && idle) break;
    if (!cancelled && idle && exhausted && queue.length === 0 && awaiting.size === 0) break;
    if (!cancelled && idle && rollingOver()) {
      await condition(allHandlersFinished);
      // Tests claimed but not dispatched go back to the cursor so the next execution claims them again.
      const resumeAt = queue.length > 0 ? queue[0]!.position - 1 : cursor;
      return continueAsNew<typeof runWorkflow>({
        runId,
        carried: { cursor: resumeAt, awaiting: Object.fromEntries(awaiting), arrived: [...toEvaluate, ...earlyArrivals.values()], cancelled, done },
      });
    }
    armTimer();
    const hasRoom = dispatching.size < plan.concurrency && dispatching.size + awaiting.size < plan.awaitingLimit;
    // Fetch the next page at once rather than waiting for a completion to wake the loop.
    if (!stopDispatching && !exhausted && queue.length === 0 && hasRoom) dirty = true;
  }

  return control.finishRun(runId, cancelled);
}
