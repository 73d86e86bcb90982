import { isFinalRunStatus, type RunStatus } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import { nextEvaluationRound } from '../store/reevaluation-repository.js';
import type { Caller } from './caller.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import type { PluginContext } from './plugin-context.js';
import { getRun } from './run-progress.js';
import { startReevaluationWorkflow } from './workflow-client.js';

/**
 * Evaluates a finished run's stored traces again in a new round (earlier rounds are kept), e.g. after the
 * experiment's evaluations changed; the application is not called.
 */
export async function reevaluateRun(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; runId: string | undefined },
): Promise<{ runId: string; round: number; status: 'started' }> {
  const experiment = await loadExperiment(context.db, experimentScope(caller, ids.experimentId));
  const run = await getRun(context, caller, { experimentId: experiment.id, runId: ids.runId });
  if (!isFinalRunStatus(run.status as RunStatus)) throw new ExperimentsError('conflict', 'The run is still going; re-evaluate it once it has finished.');
  const round = await nextEvaluationRound(context.db, run.runId);
  await startReevaluationWorkflow(context, run.runId);
  return { runId: run.runId, round, status: 'started' };
}
