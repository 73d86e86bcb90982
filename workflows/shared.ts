import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * A run's workflow id derives from the run id (and its retry round), so starting the same run twice is
 * idempotent while a retry in place gets an execution of its own.
 */
export const runWorkflowId = (runId: string, retries = 0) =>
  retries === 0 ? `experiment-run-${runId}` : `experiment-run-${runId}-retry-${retries}`;

export interface TraceArrived {
  testId: string;
  traceId: string;
}

/** Sent after a trace's link is stored in Postgres; the workflow may also find it there. */
export const traceArrivedSignal = defineSignal<[TraceArrived]>('traceArrived');
/** Sent when a run's last open test got its result outside the workflow: the run may finish now. */
export const testsSettledSignal = defineSignal('testsSettled');
/** Asks a run to stop its outstanding tests. */
export const cancelRunSignal = defineSignal<[{ actor: string }]>('cancelRun');

export interface RunProgress {
  total: number;
  done: number;
  inFlight: number;
  awaitingTrace: number;
}
export const progressQuery = defineQuery<RunProgress>('progress');

/** One re-evaluation of a run at a time: a second request while it runs is refused. */
export const reevaluateWorkflowId = (runId: string) => `experiment-reevaluate-${runId}`;

/** One queue of runs per experiment (issue 18): its workflow starts the queued runs one after another. */
export const runQueueWorkflowId = (experimentId: string) => `experiment-queue-${experimentId}`;
/** Sent when runs were queued: the queue's workflow looks again before it ends. */
export const runQueueChangedSignal = defineSignal('runQueueChanged');
