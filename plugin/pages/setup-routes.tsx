import { Hono, type Context } from 'hono';
import { canEditSelection } from '../domain/experiment-status.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { callerOf } from '../operations/caller.js';
import { createExperiment } from '../operations/create-experiment.js';
import { createExperimentSchema, updateExperimentSchema } from '../operations/experiment-input.js';
import { getExperimentView, type ExperimentView } from '../operations/experiment-view.js';
import { maxTasks } from '../operations/resolve-selection.js';
import { setBaseline } from '../operations/set-baseline.js';
import { updateExperiment } from '../operations/update-experiment.js';
import { BaselineConfigPage, configValues } from '../../views/baseline-config-page.js';
import { ChooseStepsPage } from '../../views/choose-steps-page.js';
import { ChooseTasksPage } from '../../views/choose-tasks-page.js';
import { DescribePage } from '../../views/describe-page.js';
import { fieldErrorsOf, numberOrText, readForm, zodFieldErrors } from './form-input.js';
import { numericParameters, parameterInputs } from '../../views/parameter-inputs.js';
import { renderPage } from './render-page.js';
import { RunBaselinePage } from '../../views/run-baseline-page.js';
import { runDefaultsOf } from './run-settings-form.js';
import { viewPaths } from '../../views/view-paths.js';

const tasksPerPage = 25;
const catalogPageSize = 200;

// A problem with one entry of a list (`taskIds.3`) belongs to the list as a whole in the form.
const listField = (path: string) => path.split('.')[0] ?? path;

/**
 * The new-experiment flow: name and hypothesis → inference steps → tasks → baseline configuration → run. Each step
 * is a plain form that posts, saves through the same operations as the API, and redirects to the next step; a
 * refused form comes back with each error beside its field.
 */
export function setupRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const paths = viewPaths(context.manifest.mountPath);

  /** The experiment while it can still be set up; once locked (or archived) its page is shown instead. */
  async function editable(c: Context): Promise<ExperimentView | Response> {
    const experiment = await getExperimentView(context, callerOf(c), c.req.param('id'));
    if (!canEditSelection(experiment.status)) return c.redirect(paths.experiment(experiment.id), 303);
    return experiment;
  }
  const named = (experiment: ExperimentView) => ({ id: experiment.id, name: experiment.name });

  app.get('/experiments/new', (c) =>
    renderPage(c, context, { title: 'New experiment', body: <DescribePage paths={paths} values={{}} /> }),
  );

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
    const experiment = await editable(c);
    if (experiment instanceof Response) return experiment;
    const body = <DescribePage paths={paths} experiment={named(experiment)} values={experiment} />;
    return renderPage(c, context, { title: `Set up ${experiment.name}`, body });
  });

  app.post('/experiments/:id/setup/describe', async (c) => {
    const experiment = await editable(c);
    if (experiment instanceof Response) return experiment;
    const form = await readForm(c.req);
    const values = { name: form.one('name') ?? '', description: form.one('description') ?? '' };
    const parsed = updateExperimentSchema.safeParse(values);
    if (!parsed.success) {
      const body = <DescribePage paths={paths} experiment={named(experiment)} values={values} errors={zodFieldErrors(parsed.error)} />;
      return renderPage(c, context, { title: `Set up ${experiment.name}`, body, status: 422 });
    }
    await updateExperiment(context, callerOf(c), experiment.id, parsed.data);
    return c.redirect(paths.setup(experiment.id, 'steps'), 303);
  });

  async function stepsPage(c: Context, experiment: ExperimentView, selected: ReadonlySet<string>, error?: string) {
    const steps = await context.host.inferenceSteps.list(callerOf(c).projectId);
    const body = <ChooseStepsPage paths={paths} experiment={named(experiment)} steps={steps} selected={selected} error={error} />;
    return renderPage(c, context, { title: `Set up ${experiment.name}`, body, status: error ? 422 : 200 });
  }

  app.get('/experiments/:id/setup/steps', async (c) => {
    const experiment = await editable(c);
    if (experiment instanceof Response) return experiment;
    return stepsPage(c, experiment, new Set(experiment.stepIds));
  });

  app.post('/experiments/:id/setup/steps', async (c) => {
    const experiment = await editable(c);
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

  async function tasksPage(c: Context, experiment: ExperimentView, view: { search: string; cursor?: string | undefined; selected?: ReadonlySet<string>; error?: string }) {
    const page = await context.host.tasks.list(callerOf(c).projectId, {
      limit: tasksPerPage,
      ...(view.search ? { search: view.search } : {}),
      ...(view.cursor ? { cursor: view.cursor } : {}),
    });
    const body = (
      <ChooseTasksPage
        paths={paths}
        experiment={named(experiment)}
        tasks={page.items}
        search={view.search}
        cursor={view.cursor}
        nextCursor={page.nextCursor}
        selected={view.selected ?? new Set(experiment.taskIds)}
        error={view.error}
      />
    );
    return renderPage(c, context, { title: `Set up ${experiment.name}`, body, status: view.error ? 422 : 200 });
  }

  app.get('/experiments/:id/setup/tasks', async (c) => {
    const experiment = await editable(c);
    if (experiment instanceof Response) return experiment;
    return tasksPage(c, experiment, { search: c.req.query('search') ?? '', cursor: c.req.query('cursor') });
  });

  /** Every task id matching the search, read page by page from the host, up to the most an experiment may hold. */
  async function allMatching(projectId: string, search: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await context.host.tasks.list(projectId, { limit: catalogPageSize, ...(search ? { search } : {}), ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((task) => task.id));
      cursor = page.nextCursor;
    } while (cursor && ids.length <= maxTasks);
    return ids;
  }

  app.post('/experiments/:id/setup/tasks', async (c) => {
    const experiment = await editable(c);
    if (experiment instanceof Response) return experiment;
    const form = await readForm(c.req);
    const action = form.one('action') ?? 'save';
    const search = form.one('search') ?? '';
    const cursor = form.one('cursor');
    const shown = new Set(form.all('shown'));
    const checked = new Set(form.all('task'));
    const current = experiment.taskIds;

    // The page's checkboxes decide for the tasks shown on it; tasks selected on other pages stay as they are.
    let selection: string[];
    if (action === 'clear') selection = [];
    else if (action === 'page') selection = [...current, ...[...shown].filter((id) => !current.includes(id))];
    else if (action === 'matching') {
      const matching = await allMatching(callerOf(c).projectId, search);
      const have = new Set(current);
      selection = [...current, ...matching.filter((id) => !have.has(id))];
    } else {
      selection = [...current.filter((id) => !shown.has(id) || checked.has(id)), ...[...checked].filter((id) => !current.includes(id))];
    }

    if (action === 'continue' && selection.length === 0) {
      return tasksPage(c, experiment, { search, cursor, selected: new Set(), error: 'Select at least one task: every variant runs on the selected tasks.' });
    }
    const unchanged = selection.length === current.length && selection.every((id, index) => current[index] === id);
    if (!unchanged) {
      try {
        await updateExperiment(context, callerOf(c), experiment.id, { taskIds: selection });
      } catch (error) {
        const errors = fieldErrorsOf(error, listField);
        if (!errors) throw error;
        const message = errors.taskIds ?? Object.values(errors)[0];
        return tasksPage(c, experiment, { search, cursor, selected: new Set(selection), ...(message ? { error: message } : {}) });
      }
    }
    if (action === 'continue') return c.redirect(paths.setup(experiment.id, 'baseline'), 303);
    const nextCursor = action === 'next' ? form.one('nextCursor') : cursor;
    const query = new URLSearchParams({ ...(search ? { search } : {}), ...(nextCursor ? { cursor: nextCursor } : {}) }).toString();
    return c.redirect(`${paths.setup(experiment.id, 'tasks')}${query ? `?${query}` : ''}`, 303);
  });

  app.get('/experiments/:id/setup/baseline', async (c) => {
    const experiment = await editable(c);
    if (experiment instanceof Response) return experiment;
    const body = <BaselineConfigPage paths={paths} experiment={named(experiment)} steps={experiment.steps} values={configValues(experiment.baselineConfig)} />;
    return renderPage(c, context, { title: `Set up ${experiment.name}`, body });
  });

  app.post('/experiments/:id/setup/baseline', async (c) => {
    const experiment = await editable(c);
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
      return renderPage(c, context, { title: `Set up ${experiment.name}`, body, status: 422 });
    }
    return c.redirect(paths.setup(experiment.id, 'run'), 303);
  });

  app.get('/experiments/:id/setup/run', async (c) => {
    const experiment = await editable(c);
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
    return renderPage(c, context, { title: `Set up ${experiment.name}`, body });
  });

  return app;
}
