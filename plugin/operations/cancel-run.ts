import { isFinalRunStatus, type RunStatus } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import type { PluginContext } from './plugin-context.js';
import { cancelRunWorkflow } from './workflow-client.js';
import type { Caller } from './caller.js';
import { getRun, type RunProgress } from './run-progress.js';

/** Asks a pending or running run to stop; a run that has ended is a conflict. */
export async function cancelRun(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; runId: string | undefined },
): Promise<RunProgress & { cancelRequested: true }> {
  const run = await getRun(context, caller, ids);
  if (isFinalRunStatus(run.status as RunStatus)) {
    throw new ExperimentsError('conflict', `The run has already ended (${run.status}); there is nothing to cancel.`);
  }
  await cancelRunWorkflow(context, run.runId, run.workflowId, caller.actor);
  return { ...(await getRun(context, caller, ids)), cancelRequested: true };
}
