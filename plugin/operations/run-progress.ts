import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { getRunProgress, listRuns } from '../store/run-queries.js';
import type { Caller } from './caller.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

/** A run with its settings, live counts and progress. */
export type RunProgress = Awaited<ReturnType<typeof getRunProgress>>;
export type RunListEntry = Awaited<ReturnType<typeof listRuns>>[number];

/** One run of an experiment with live counts; 404 when it is not one of the caller's. */
export function getRun(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; runId: string | undefined },
): Promise<RunProgress> {
  const experimentId = requireUuid(ids.experimentId, 'Experiment');
  const runId = requireUuid(ids.runId, 'Run');
  return getRunProgress(context.db, caller.projectId, experimentId, runId);
}

/** The runs of one of the caller's experiments, newest first. */
export async function listExperimentRuns(context: PluginContext, caller: Caller, experimentId: string | undefined): Promise<RunListEntry[]> {
  const experiment = await loadExperiment(context.db, experimentScope(caller, experimentId));
  return listRuns(context.db, caller.projectId, experiment.id);
}
