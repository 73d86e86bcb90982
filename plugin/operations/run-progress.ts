import { ExperimentsError } from '../errors.js';
import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { getRunProgress, listRuns } from '../store/run-queries.js';
import type { Caller } from './caller.js';

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
  const { db } = context;
  const id = requireUuid(experimentId, 'Experiment');
  const exists = await db.selectFrom('experiments').select('id').where('id', '=', id).where('project_id', '=', caller.projectId).executeTakeFirst();
  if (!exists) throw new ExperimentsError('not_found', `Experiment ${id} was not found.`);
  return listRuns(db, caller.projectId, id);
}
