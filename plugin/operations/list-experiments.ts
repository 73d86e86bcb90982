import type { ExperimentStatus } from '../domain/experiment-status.js';
import type { PluginContext } from './plugin-context.js';
import { listExperiments as listStored } from '../store/experiment-repository.js';
import type { Caller } from './caller.js';
import { summaryView, type ExperimentSummaryView } from './experiment-view.js';

/** The caller's experiments, newest first; archived ones only when asked for (or filtered by status); by key when given. */
export async function listExperiments(
  context: PluginContext,
  caller: Caller,
  filter: { status?: ExperimentStatus; includeArchived?: boolean; key?: string } = {},
): Promise<ExperimentSummaryView[]> {
  const experiments = await listStored(context.db, caller.projectId, {
    ...(filter.status === undefined ? {} : { status: filter.status }),
    includeArchived: filter.includeArchived === true,
    ...(filter.key === undefined ? {} : { key: filter.key }),
  });
  return experiments.map(summaryView);
}
