import { Hono } from 'hono';
import { callerOf } from '../operations/caller.js';
import { createExperiment } from '../operations/create-experiment.js';
import { createExperimentSchema, updateExperimentSchema } from '../operations/experiment-input.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { updateExperiment } from '../operations/update-experiment.js';
import { DescribePage } from '../../views/describe-page.js';
import { viewPaths } from '../../views/view-paths.js';
import { readForm, zodFieldErrors } from './form-input.js';
import { renderPage } from './render-page.js';
import { editableExperiment, named, setupTitle } from './setup-experiment.js';

/** The first step of the new-experiment flow: its name and hypothesis, for a new experiment or one being set up. */
export function setupDescribeRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const paths = viewPaths(context.manifest.mountPath);

  app.get('/experiments/new', (c) => renderPage(c, context, { title: 'New experiment', body: <DescribePage paths={paths} values={{}} /> }));

  app.post('/experiments', async (c) => {
    const form = await readForm(c.req);
    const values = { name: form.one('name') ?? '', description: form.one('description') ?? '' };
    const parsed = createExperimentSchema.safeParse(values);
    if (!parsed.success) {
      const body = <DescribePage paths={paths} values={values} errors={zodFieldErrors(parsed.error)} />;
      return renderPage(c, context, { title: 'New experiment', body, status: 422 });
    }
    const experiment = await createExperiment(context, callerOf(c), parsed.data);
    return c.redirect(paths.setup(experiment.id, 'steps'), 303);
  });

  app.get('/experiments/:id/setup/describe', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    const body = <DescribePage paths={paths} experiment={named(experiment)} values={experiment} />;
    return renderPage(c, context, { title: setupTitle(experiment), body });
  });

  app.post('/experiments/:id/setup/describe', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    const form = await readForm(c.req);
    const values = { name: form.one('name') ?? '', description: form.one('description') ?? '' };
    const parsed = updateExperimentSchema.safeParse(values);
    if (!parsed.success) {
      const body = <DescribePage paths={paths} experiment={named(experiment)} values={values} errors={zodFieldErrors(parsed.error)} />;
      return renderPage(c, context, { title: setupTitle(experiment), body, status: 422 });
    }
    await updateExperiment(context, callerOf(c), experiment.id, parsed.data);
    return c.redirect(paths.setup(experiment.id, 'steps'), 303);
  });

  return app;
}
