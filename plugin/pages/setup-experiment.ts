import type { Context } from 'hono';
import { canEditSelection, isRunning } from '../domain/experiment-status.js';
import { callerOf } from '../operations/caller.js';
import { getExperimentView, type ExperimentView } from '../operations/experiment-view.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { viewPaths } from '../../views/view-paths.js';

/** Why a setup page sent the person to the experiment's page instead, shown there as it opens. */
export const setupNotices = {
  running:
    'The set-up cannot change while the baseline is running: wait for it to finish, or cancel the run to change the tasks, steps or configuration.',
  locked:
    'The set-up is locked: the baseline has completed, so its tasks, steps and configuration can no longer change. Branch a variant to try a change.',
  archived: 'The experiment is archived and read-only; its set-up can no longer change.',
} as const;

/**
 * The experiment of a setup page while it can still be set up; once running, locked or archived, a redirect to its
 * page, which says why.
 */
export async function editableExperiment(context: PluginContext, c: Context): Promise<ExperimentView | Response> {
  const experiment = await getExperimentView(context, callerOf(c), c.req.param('id'));
  if (!canEditSelection(experiment.status)) {
    const notice: keyof typeof setupNotices =
      experiment.status === 'archived' ? 'archived' : isRunning(experiment.status) ? 'running' : 'locked';
    return c.redirect(`${viewPaths(context.manifest.mountPath).experiment(experiment.id)}?notice=${notice}`, 303);
  }
  return experiment;
}

/** What every setup page shows of the experiment. */
export const named = (experiment: ExperimentView) => ({ id: experiment.id, name: experiment.name });

/** The title of every setup page. */
export const setupTitle = (experiment: ExperimentView) => `Set up ${experiment.name}`;

// A problem with one entry of a list (`taskIds.3`) belongs to the list as a whole in the form.
export const listField = (path: string) => path.split('.')[0] ?? path;
