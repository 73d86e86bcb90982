import { Hono } from 'hono';
import { callerOf } from '../operations/caller.js';
import { cancelRun } from '../operations/cancel-run.js';
import { retryRun } from '../operations/retry-run.js';
import { getRun, listExperimentRuns } from '../operations/run-progress.js';
import { runSettingsSchema, startRun } from '../operations/start-run.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { clearExperimentRunQueue, getRunQueue, queueRuns, queueRunsSchema, removeFromRunQueue } from '../operations/run-queue.js';
import { validate } from './validate.js';

/** Starting, watching, cancelling and retrying runs over JSON (DESIGN §6, §9); the work is in `plugin/operations`. */
export function runRoutes(context: PluginContext): Hono {
  const app = new Hono();

  app.post('/:id/variants/:vid/runs', validate('json', runSettingsSchema(context.config)), async (c) => {
    const ids = { experimentId: c.req.param('id'), variantId: c.req.param('vid') };
    return c.json(await startRun(context, callerOf(c), ids, c.req.valid('json')), 202);
  });

  app.get('/:id/runs', async (c) => c.json({ runs: await listExperimentRuns(context, callerOf(c), c.req.param('id')) }));

  app.get('/:id/runs/:rid', async (c) =>
    c.json(await getRun(context, callerOf(c), { experimentId: c.req.param('id'), runId: c.req.param('rid') })),
  );

  app.post('/:id/runs/:rid/cancel', async (c) =>
    c.json(await cancelRun(context, callerOf(c), { experimentId: c.req.param('id'), runId: c.req.param('rid') }), 202),
  );

  app.post('/:id/runs/:rid/retry', async (c) =>
    c.json(await retryRun(context, callerOf(c), { experimentId: c.req.param('id'), runId: c.req.param('rid') }), 202),
  );

  // The run queue (issue 18): queued runs start one after another; one not started yet is taken out of the queue.
  app.get('/:id/queue', async (c) => c.json(await getRunQueue(context, callerOf(c), c.req.param('id'))));

  app.post('/:id/queue', validate('json', queueRunsSchema(context.config)), async (c) =>
    c.json(await queueRuns(context, callerOf(c), c.req.param('id'), c.req.valid('json')), 202),
  );

  app.delete('/:id/queue', async (c) => c.json(await clearExperimentRunQueue(context, callerOf(c), c.req.param('id'))));

  app.delete('/:id/queue/:qid', async (c) =>
    c.json(await removeFromRunQueue(context, callerOf(c), { experimentId: c.req.param('id'), entryId: c.req.param('qid') })),
  );

  return app;
}
