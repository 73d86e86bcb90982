import { Hono } from 'hono';
import { z } from 'zod';
import { testStatuses } from '../domain/experiment-status.js';
import { callerOf } from '../operations/caller.js';
import { experimentResults } from '../operations/experiment-results.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { exportResults } from '../operations/results-export.js';
import { resultsFileResponse } from './results-file-response.js';
import { flips, listRunTests } from '../operations/run-tests.js';
import { exportWinnerConfig } from '../operations/variant-config.js';
import { defaultPageSize, pageQueryFields } from './page-query.js';
import { validate } from './validate.js';

const testsQuerySchema = z.object({
  ...pageQueryFields,
  status: z.enum(testStatuses, { error: `status must be one of ${testStatuses.join(', ')}` }).optional(),
  flip: z.enum(flips, { error: `flip must be one of ${flips.join(', ')}` }).optional(),
  flaky: z.enum(['true', 'false'], { error: 'flaky must be true or false' }).optional(),
});

/**
 * Results of an experiment (DESIGN §8, §9): per-variant figures and paired comparisons, the tests of a run beside
 * the baseline's, CSV and Markdown summaries, and the winner's configuration; the work is in `plugin/operations`.
 */
export function resultRoutes(context: PluginContext): Hono {
  const app = new Hono();

  app.get('/:id/results', async (c) => c.json(await experimentResults(context, callerOf(c), c.req.param('id'))));

  app.get('/:id/results.csv', async (c) => resultsFileResponse(c, await exportResults(context, callerOf(c), c.req.param('id'), 'csv'), 'attachment'));

  app.get('/:id/results.md', async (c) => resultsFileResponse(c, await exportResults(context, callerOf(c), c.req.param('id'), 'markdown'), 'inline'));

  app.get('/:id/runs/:rid/tests', validate('query', testsQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const ids = { experimentId: c.req.param('id'), runId: c.req.param('rid') };
    const { flaky, ...rest } = query;
    return c.json(await listRunTests(context, callerOf(c), ids, { ...rest, limit: query.limit ?? defaultPageSize, flaky: flaky === 'true' }));
  });

  app.get('/:id/export', async (c) => c.json(await exportWinnerConfig(context, callerOf(c), c.req.param('id'))));

  return app;
}
