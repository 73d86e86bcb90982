import { Hono, type Context } from 'hono';
import { callerOf } from '../operations/caller.js';
import type { ExperimentView } from '../operations/experiment-view.js';
import { browseTasks, matchingTaskIds } from '../operations/host-catalog.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { updateExperiment } from '../operations/update-experiment.js';
import { listTaskSources } from '../operations/task-sources.js';
import { ChooseTasksPage } from '../../views/choose-tasks-page.js';
import { viewPaths } from '../../views/view-paths.js';
import { fieldErrorsOf, readForm } from './form-input.js';
import { renderPage } from './render-page.js';
import { editableExperiment, listField, named, setupTitle } from './setup-experiment.js';
import { nextTaskSelection, sameSelection } from './task-selection.js';

const tasksPerPage = 25;

interface TasksView {
  search: string;
  cursor?: string | undefined;
  selected?: ReadonlySet<string>;
  error?: string;
  sourceError?: string;
}

/** The third step of the new-experiment flow: the tasks every variant runs on, chosen page by page or in bulk. */
export function setupTasksRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const paths = viewPaths(context.manifest.mountPath);

  async function tasksPage(c: Context, experiment: ExperimentView, view: TasksView) {
    const [page, sources] = await Promise.all([
      browseTasks(context, callerOf(c), { search: view.search, cursor: view.cursor, limit: tasksPerPage, source: experiment.taskSource }),
      listTaskSources(context, callerOf(c)),
    ]);
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
        sources={sources}
        taskSource={experiment.taskSource}
        sourceError={view.sourceError}
      />
    );
    return renderPage(c, context, { title: setupTitle(experiment), body, status: view.error || view.sourceError ? 422 : 200 });
  }

  app.get('/experiments/:id/setup/tasks', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    return tasksPage(c, experiment, { search: c.req.query('search') ?? '', cursor: c.req.query('cursor') });
  });

  app.post('/experiments/:id/setup/tasks', async (c) => {
    const experiment = await editableExperiment(context, c);
    if (experiment instanceof Response) return experiment;
    const form = await readForm(c.req);
    const action = form.one('action') ?? 'save';
    // The search the page shows; a new one typed in the search box is only followed by the "search" action.
    const search = form.one('shownSearch') ?? form.one('search') ?? '';
    const cursor = form.one('cursor');
    if (action === 'source' || action === 'source-continue') {
      const sourceId = form.one('source') ?? '';
      const splits = form.all(`split:${sourceId}`);
      try {
        await updateExperiment(context, callerOf(c), experiment.id, { taskSource: { sourceId, ...(splits.length ? { splits } : {}) } });
      } catch (error) {
        const errors = fieldErrorsOf(error, listField);
        if (!errors) throw error;
        const message = Object.values(errors)[0] ?? 'This dataset cannot be used.';
        return tasksPage(c, experiment, { search, cursor, sourceError: message });
      }
      return c.redirect(action === 'source-continue' ? paths.setup(experiment.id, 'baseline') : paths.setup(experiment.id, 'tasks'), 303);
    }
    const current = experiment.taskIds;
    const selection = nextTaskSelection({
      action,
      current,
      shown: new Set(form.all('shown')),
      checked: new Set(form.all('task')),
      ...(action === 'matching' ? { matching: await matchingTaskIds(context, callerOf(c), search) } : {}),
    });

    if (action === 'continue' && selection.length === 0) {
      return tasksPage(c, experiment, {
        search,
        cursor,
        selected: new Set(),
        error: 'Select at least one task: every variant runs on the selected tasks.',
      });
    }
    if (!sameSelection(selection, current)) {
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
    if (action === 'search') {
      const typed = (form.one('search') ?? '').trim();
      return c.redirect(`${paths.setup(experiment.id, 'tasks')}${typed ? `?${new URLSearchParams({ search: typed })}` : ''}`, 303);
    }
    const nextCursor = action === 'next' ? form.one('nextCursor') : cursor;
    const query = new URLSearchParams({ ...(search ? { search } : {}), ...(nextCursor ? { cursor: nextCursor } : {}) }).toString();
    return c.redirect(`${paths.setup(experiment.id, 'tasks')}${query ? `?${query}` : ''}`, 303);
  });

  return app;
}
