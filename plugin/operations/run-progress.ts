import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { getRunProgress, listRuns } from '../store/run-queries.js';
import type { Caller } from './caller.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

/** A run with its settings, live counts and progress. */
export type RunProgress = Awaited<ReturnType<typeof getRunProgress>>;

type StoredRun = Awaited<ReturnType<typeof listRuns>>[number];

/** An entry of an experiment's run list, named as the rest of the API names things (camelCase). */
const runListEntry = (run: StoredRun) => ({
  id: run.id,
  variantId: run.variant_id,
  number: run.number,
  isBaseline: run.is_baseline,
  status: run.status,
  total: run.total,
  createdAt: run.created_at,
  finishedAt: run.finished_at,
});
export type RunListEntry = ReturnType<typeof runListEntry>;

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
  const runs = await listRuns(context.db, caller.projectId, experiment.id);
  return runs.map(runListEntry);
}
