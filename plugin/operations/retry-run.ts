import { checkRetry } from '../domain/run-rules.js';
import type { ExperimentStatus, RunStatus } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import type { Db } from '../store/connect.js';
import { transitionExperiment } from '../store/experiment-transitions.js';
import { lockRunOfExperiment, reopenRun, resetRetryableTests } from '../store/run-creation.js';
import { runWorkflowId } from '../../workflows/shared.js';
import type { Caller } from './caller.js';
import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { getRun, type RunProgress } from './run-progress.js';
import { startRunWorkflow } from './workflow-client.js';
import { prepareSpanCursor } from '../traces/span-puller.js';

/**
 * Puts a finished run's errored, timed-out and not-run tests back to pending with new test ids (earlier attempts
 * are kept) and moves the experiment back to running, in one transaction.
 */
export async function prepareRetry(db: Db, input: { projectId: string; experimentId: string; runId: string; actor: string }) {
  return db.transaction().execute(async (trx) => {
    const run = await lockRunOfExperiment(trx, input, input.runId);
    if (!run) throw new ExperimentsError('not_found', `Run ${input.runId} was not found in this experiment.`);
    const event = checkRetry({ status: run.status as RunStatus, isBaseline: run.is_baseline }, run.experiment_status as ExperimentStatus);
    const count = await resetRetryableTests(trx, input.runId);
    if (count === 0) throw new ExperimentsError('unprocessable', 'The run has no errored, timed-out or not-run tests to retry; failed tests are results and are not retried.');
    const retries = run.retries + 1;
    const workflowId = runWorkflowId(input.runId, retries);
    await reopenRun(trx, { id: input.runId, variantId: run.variant_id, retries, workflowId });
    await transitionExperiment(trx, {
      experimentId: input.experimentId, event, actor: input.actor,
      reason: `retrying ${count} test(s) of run #${run.number}`, details: { runId: input.runId, retries },
    });
    return { runId: input.runId, retries, workflowId, retried: count };
  });
}

/** Runs a finished run's errored, timed-out and not-run tests again, in place (failures are results: never retried). */
export async function retryRun(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; runId: string | undefined },
): Promise<RunProgress & { retried: number }> {
  const experimentId = requireUuid(ids.experimentId, 'Experiment');
  const runId = requireUuid(ids.runId, 'Run');
  await prepareSpanCursor(context.db, context.host, caller.projectId, runId);
  const retry = await prepareRetry(context.db, { projectId: caller.projectId, experimentId, runId, actor: caller.actor });
  await startRunWorkflow(context, runId, retry.workflowId, caller.actor);
  return { ...(await getRun(context, caller, { experimentId, runId })), retried: retry.retried };
}
