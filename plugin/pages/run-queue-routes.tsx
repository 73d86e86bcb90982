import { Hono } from 'hono';
import { ExperimentsError } from '../errors.js';
import { callerOf } from '../operations/caller.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { clearExperimentRunQueue, queueRuns, removeFromRunQueue } from '../operations/run-queue.js';
import { readForm } from './form-input.js';
import { liveSection } from './live-section.js';
import { parseRunSettings } from './run-settings-form.js';

/** The run queue from the tab (issue 18): "Run all drafts", and taking a queued run out before it starts. */
export function runQueueRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const { afterAction } = liveSection(context);

  app.post('/experiments/:id/queue', async (c) => {
    const settings = parseRunSettings(await readForm(c.req), context.config);
    if (!settings.ok) throw new ExperimentsError('unprocessable', `Nothing was queued: ${Object.values(settings.errors).join('; ')}.`);
    const queued = await queueRuns(context, callerOf(c), c.req.param('id'), { settings: settings.input });
    const message =
      queued.added === 0
        ? 'Every draft variant was already queued.'
        : `${queued.added} ${queued.added === 1 ? 'run' : 'runs'} queued: they run one after another, each once the one before has ended.`;
    return afterAction(c, c.req.param('id'), message);
  });

  app.post('/experiments/:id/queue/clear', async (c) => {
    const cleared = await clearExperimentRunQueue(context, callerOf(c), c.req.param('id'));
    return afterAction(
      c,
      c.req.param('id'),
      `${cleared.removed} queued ${cleared.removed === 1 ? 'run' : 'runs'} taken out of the queue; a run going goes on.`,
    );
  });

  app.post('/experiments/:id/queue/:qid/remove', async (c) => {
    await removeFromRunQueue(context, callerOf(c), { experimentId: c.req.param('id'), entryId: c.req.param('qid') });
    return afterAction(c, c.req.param('id'), 'The run was taken out of the queue.');
  });

  return app;
}
