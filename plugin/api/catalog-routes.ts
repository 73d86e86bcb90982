import { Hono } from 'hono';
import { z } from 'zod';
import { callerOf } from '../operations/caller.js';
import { browseTasks, listInferenceSteps } from '../operations/host-catalog.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { listTaskSources } from '../operations/task-sources.js';
import { defaultPageSize, pageQueryFields } from './page-query.js';
import { validate } from './validate.js';

const tasksQuerySchema = z.object({
  search: z.string().max(200, { error: 'search must be at most 200 characters' }).optional(),
  ...pageQueryFields,
});

/**
 * What the caller's project offers an experiment, as the host lists it: its tasks (paged, searchable), its task
 * sources (Phoenix datasets with their splits; none on a host without) and its inference steps. A client that
 * selects by other means than ids (a definition's `tasks: all` or `phoenix_dataset`) or checks its steps before
 * creating anything reads them here; the tab's set-up pages call the same operations.
 */
export function catalogRoutes(context: PluginContext): Hono {
  const app = new Hono();

  app.get('/tasks', validate('query', tasksQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const page = await browseTasks(context, callerOf(c), { search: query.search, cursor: query.cursor, limit: query.limit ?? defaultPageSize });
    return c.json({ items: page.items.map((task) => ({ id: task.id, title: task.title })), nextCursor: page.nextCursor ?? null });
  });

  // The `sourceId` to send as `PATCH /experiments/:id {taskSource}`, found by the source's name or id.
  app.get('/task-sources', async (c) => c.json({ sources: await listTaskSources(context, callerOf(c)) }));

  app.get('/inference-steps', async (c) => {
    const steps = await listInferenceSteps(context, callerOf(c));
    return c.json({ steps: steps.map((step) => ({ externalId: step.externalId, title: step.title, type: step.type })) });
  });

  return app;
}
