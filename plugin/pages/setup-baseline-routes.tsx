import { Hono } from 'hono';
import { callerOf } from '../operations/caller.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { setBaseline } from '../operations/set-baseline.js';
import { BaselineConfigPage, configValues } from '../../views/baseline-config-page.js';
import { numericParameters, parameterInputs } from '../../views/parameter-inputs.js';
import { RunBaselinePage } from '../../views/run-baseline-page.js';
import { viewPaths } from '../../views/view-paths.js';
import { fieldErrorsOf, numberOrText, readForm } from './form-input.js';
import { renderPage } from './render-page.js';
import { runDefaultsOf } from './run-settings-form.js';
import { editableExperiment, named, setupTitle } from './setup-experiment.js';

/** The last steps of the new-experiment flow: the baseline configuration per step, then running the baseline. */
export function setupBaselineRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const paths = viewPaths(context.manifest.mountPath);

  app.get('/experiments/:id/setup/baseline', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    const body = <BaselineConfigPage paths={paths} experiment={named(experiment)} steps={experiment.steps} values={configValues(experiment.baselineConfig)} />;
    return renderPage(c, context, { title: setupTitle(experiment), body });
  });

  app.post('/experiments/:id/setup/baseline', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    const form = await readForm(c.req);
    const values: Record<string, Record<string, string>> = {};
    const config: Record<string, Record<string, unknown>> = {};
    for (const step of experiment.stepIds) {
      values[step] = {};
      config[step] = {};
      for (const parameter of parameterInputs) {
        const raw = form.one(`${step}.${parameter.name}`) ?? '';
        values[step][parameter.name] = raw;
        // Blank means "the application's default"; a number field's text is left as text for the rule to refuse.
        if (raw.trim() === '') continue;
        config[step][parameter.name] = numericParameters.has(parameter.name) ? numberOrText(raw) : raw;
      }
    }
    try {
      await setBaseline(context, callerOf(c), experiment.id, { config });
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (!errors) throw error;
      const body = (
        <BaselineConfigPage
          paths={paths}
          experiment={named(experiment)}
          steps={experiment.steps}
          values={values}
          errors={errors}
          error="The configuration was not saved: correct the fields marked below."
        />
      );
      return renderPage(c, context, { title: setupTitle(experiment), body, status: 422 });
    }
    return c.redirect(paths.setup(experiment.id, 'run'), 303);
  });

  app.get('/experiments/:id/setup/run', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    const baseline = experiment.variants.find((variant) => variant.isBaseline);
    const body = (
      <RunBaselinePage
        paths={paths}
        experiment={{ ...named(experiment), stepCount: experiment.stepIds.length, taskCount: experiment.taskCount }}
        baselineVariantId={baseline?.id ?? null}
        defaults={runDefaultsOf(context.config)}
      />
    );
    return renderPage(c, context, { title: setupTitle(experiment), body });
  });

  return app;
}
