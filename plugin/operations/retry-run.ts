import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { startRunWorkflow } from './workflow-client.js';
import { prepareRetry } from '../store/run-creation.js';
import type { Caller } from './caller.js';
import { getRun, type RunProgress } from './run-progress.js';

/** Runs a finished run's failed, errored and timed-out tests again, in place. */
export async function retryRun(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; runId: string | undefined },
): Promise<RunProgress & { retried: number }> {
  const experimentId = requireUuid(ids.experimentId, 'Experiment');
  const runId = requireUuid(ids.runId, 'Run');
  const retry = await prepareRetry(context.db, { projectId: caller.projectId, experimentId, runId, actor: caller.actor });
  await startRunWorkflow(context, runId, retry.workflowId, caller.actor);
  return { ...(await getRun(context, caller, { experimentId, runId })), retried: retry.retried };
}
