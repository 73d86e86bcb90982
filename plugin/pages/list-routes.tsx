import { Hono } from 'hono';
import type { PluginContext } from '../operations/plugin-context.js';
import { callerOf } from '../operations/caller.js';
import { listExperiments } from '../operations/list-experiments.js';
import { ExperimentsListPage } from '../../views/experiments-list-page.js';
import { renderPage } from './render-page.js';
import { viewPaths } from '../../views/view-paths.js';

/** The tab's front page: the list of experiments, active or archived. */
export function listRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const paths = viewPaths(context.manifest.mountPath);

  app.get('/', async (c) => {
    const filter = c.req.query('filter') === 'archived' ? 'archived' : 'active';
    const experiments = await listExperiments(context, callerOf(c), filter === 'archived' ? { status: 'archived' } : {});
    return renderPage(c, context, {
      title: filter === 'archived' ? 'Archived experiments' : 'Experiments',
      body: <ExperimentsListPage paths={paths} filter={filter} experiments={experiments} />,
    });
  });

  return app;
}
