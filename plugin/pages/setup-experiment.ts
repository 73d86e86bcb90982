import type { Context } from 'hono';
import { canEditSelection } from '../domain/experiment-status.js';
import { callerOf } from '../operations/caller.js';
import { getExperimentView, type ExperimentView } from '../operations/experiment-view.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { viewPaths } from '../../views/view-paths.js';

/** The experiment of a setup page while it can still be set up; once locked (or archived), a redirect to its page. */
export async function editableExperiment(context: PluginContext, c: Context): Promise<ExperimentView | Response> {
  const experiment = await getExperimentView(context, callerOf(c), c.req.param('id'));
  if (!canEditSelection(experiment.status)) return c.redirect(viewPaths(context.manifest.mountPath).experiment(experiment.id), 303);
  return experiment;
}

/** What every setup page shows of the experiment. */
export const named = (experiment: ExperimentView) => ({ id: experiment.id, name: experiment.name });

/** The title of every setup page. */
export const setupTitle = (experiment: ExperimentView) => `Set up ${experiment.name}`;

// A problem with one entry of a list (`taskIds.3`) belongs to the list as a whole in the form.
export const listField = (path: string) => path.split('.')[0] ?? path;
