import { Hono, type Context } from 'hono';
import { callerOf } from '../operations/caller.js';
import type { ExperimentView } from '../operations/experiment-view.js';
import { listInferenceSteps } from '../operations/host-catalog.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { updateExperiment } from '../operations/update-experiment.js';
import { ChooseStepsPage } from '../../views/choose-steps-page.js';
import { viewPaths } from '../../views/view-paths.js';
import { fieldErrorsOf, readForm } from './form-input.js';
import { renderPage } from './render-page.js';
import { editableExperiment, listField, named, setupTitle } from './setup-experiment.js';

/** The second step of the new-experiment flow: the inference steps a variant may change. */
export function setupStepsRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const paths = viewPaths(context.manifest.mountPath);

  async function stepsPage(c: Context, experiment: ExperimentView, selected: ReadonlySet<string>, error?: string) {
    const steps = await listInferenceSteps(context, callerOf(c));
    const body = <ChooseStepsPage paths={paths} experiment={named(experiment)} steps={steps} selected={selected} error={error} />;
    return renderPage(c, context, { title: setupTitle(experiment), body, status: error ? 422 : 200 });
  }

  app.get('/experiments/:id/setup/steps', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    return stepsPage(c, experiment, new Set(experiment.stepIds));
  });

  app.post('/experiments/:id/setup/steps', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    const chosen = (await readForm(c.req)).all('step');
    if (chosen.length === 0) return stepsPage(c, experiment, new Set(), 'Select at least one inference step: variants can only change parameters of the steps in scope.');
    try {
      await updateExperiment(context, callerOf(c), experiment.id, { inferenceSteps: chosen });
    } catch (error) {
      const errors = fieldErrorsOf(error, listField);
      if (!errors) throw error;
      return stepsPage(c, experiment, new Set(chosen), errors.inferenceSteps ?? Object.values(errors)[0]);
    }
    return c.redirect(paths.setup(experiment.id, 'tasks'), 303);
  });

  return app;
}
