import {
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RunActivities } from './activities.js';
import type { runWorkflow } from './run-workflow.js';
import { runQueueChangedSignal } from './shared.js';

export interface RunQueueWorkflowInput {
  experimentId: string;
}

const control = proxyActivities<RunActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** How long to wait before looking again while a run the queue did not start is going. */
const busyPollMs = 5_000;
/** History events after which the queue continues as new (a long wait polls). */
const historyBudget = 5_000;

/**
 * Works an experiment's run queue (issue 18): takes the first queued run when the experiment is free, runs it as a
 * child workflow and waits for it to end, then the next, until the queue is empty. The queue itself is in Postgres;
 * this workflow only orders the work. A run that was started by hand meanwhile is waited for; a run left open without
 * a workflow (an earlier attempt of this workflow started it in the database) is adopted and run.
 */
export async function runQueueWorkflow({ experimentId }: RunQueueWorkflowInput): Promise<number> {
  let changed = false;
  setHandler(runQueueChangedSignal, () => {
    changed = true;
  });
  let started = 0;
  for (;;) {
    changed = false;
    const step = await control.startNextQueuedRun(experimentId);
    if (step.kind === 'empty') {
      // Runs queued while this looked are seen before it ends.
      if (changed) continue;
      return started;
    }
    if (step.kind === 'started') started += 1;
    try {
      await executeChild<typeof runWorkflow>('runWorkflow', {
        workflowId: step.workflowId,
        args: [{ runId: step.runId }],
        // The run goes on even if the queue is stopped; its own cancel still reaches it by its workflow id.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (error) {
      if (isCancellation(error)) throw error;
      // Started by hand (already running) or failed: look again shortly, the database says what happened.
      await condition(() => changed, busyPollMs);
    }
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyBudget) {
      return continueAsNew<typeof runQueueWorkflow>({ experimentId });
    }
  }
}
