import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { ExperimentsError } from '../errors.js';
import { finishRun } from '../store/run-repository.js';
import { cancelRunSignal, reevaluateWorkflowId, runQueueChangedSignal, runQueueWorkflowId } from '../../workflows/shared.js';
import type { runQueueWorkflow } from '../../workflows/run-queue-workflow.js';
import type { reevaluateWorkflow } from '../../workflows/reevaluate-workflow.js';
import type { runWorkflow } from '../../workflows/run-workflow.js';
import type { PluginContext } from './plugin-context.js';

/**
 * Starts a run's workflow; the id derives from the run, so a second start is a no-op. When Temporal
 * cannot be reached the run is marked failed (nothing was sent) and the caller gets a 503.
 */
export async function startRunWorkflow(context: PluginContext, runId: string, workflowId: string, actor: string) {
  try {
    const client = await context.temporal();
    await client.workflow.start<typeof runWorkflow>('runWorkflow', {
      taskQueue: context.config.taskQueue,
      workflowId,
      args: [{ runId }],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    const failure = `the run could not be started: Temporal was unreachable (${(error as Error).message.slice(0, 200)})`;
    await finishRun(context.db, runId, { cancelled: false, failure, actor, maxErroredShare: context.config.maxErroredShare });
    throw new ExperimentsError('unavailable', 'The workflow service is unreachable, so the run could not start; nothing was sent. Try again shortly.');
  }
}

/** Asks a run's workflow to stop; a workflow that is gone is finished directly. */
export async function cancelRunWorkflow(context: PluginContext, runId: string, workflowId: string, actor: string) {
  try {
    const client = await context.temporal();
    await client.workflow.getHandle(workflowId).signal(cancelRunSignal, { actor });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      await finishRun(context.db, runId, { cancelled: true, actor, maxErroredShare: context.config.maxErroredShare });
      return;
    }
    throw new ExperimentsError('unavailable', 'The workflow service is unreachable, so the run could not be cancelled yet. Try again shortly.');
  }
}

/** Starts a run's re-evaluation; one at a time per run, so a second start while one runs is a conflict. */
export async function startReevaluationWorkflow(context: PluginContext, runId: string) {
  try {
    const client = await context.temporal();
    await client.workflow.start<typeof reevaluateWorkflow>('reevaluateWorkflow', {
      taskQueue: context.config.taskQueue,
      workflowId: reevaluateWorkflowId(runId),
      args: [{ runId }],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ExperimentsError('conflict', 'This run is already being re-evaluated; wait for it to finish.');
    }
    throw new ExperimentsError('unavailable', 'The workflow service is unreachable; nothing was changed. Try again shortly.');
  }
}

/** Makes sure the experiment's queue workflow is working its queue: starts it, or tells the one running to look again. */
export async function wakeRunQueue(context: PluginContext, experimentId: string) {
  try {
    const client = await context.temporal();
    await client.workflow.signalWithStart<typeof runQueueWorkflow>('runQueueWorkflow', {
      taskQueue: context.config.taskQueue,
      workflowId: runQueueWorkflowId(experimentId),
      args: [{ experimentId }],
      signal: runQueueChangedSignal,
      signalArgs: [],
    });
  } catch {
    throw new ExperimentsError('unavailable', 'The workflow service is unreachable, so the runs were not queued. Try again shortly.');
  }
}
