import { Hono } from 'hono';
import { z } from 'zod';
import { callerOf } from '../operations/caller.js';
import { getExperimentEvaluations, setExperimentEvaluations } from '../operations/experiment-evaluations.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { reevaluateRun } from '../operations/reevaluate-run.js';
import { isStorable, unstorableMessage, validate } from './validate.js';

const evaluationsBody = z
  .strictObject({ evaluations: z.array(z.unknown()).max(50, 'at most 50 evaluations') })
  .refine(isStorable, { error: unstorableMessage });

/** Experiment-level evaluations (added to every task's own) and re-evaluation of finished runs (DESIGN §7). */
export function evaluationRoutes(context: PluginContext): Hono {
  const app = new Hono();

  app.get('/:id/evaluations', async (c) => c.json(await getExperimentEvaluations(context, callerOf(c), c.req.param('id'))));

  app.put('/:id/evaluations', validate('json', evaluationsBody), async (c) =>
    c.json(await setExperimentEvaluations(context, callerOf(c), c.req.param('id'), c.req.valid('json'))),
  );

  app.post('/:id/runs/:rid/reevaluate', async (c) =>
    c.json(await reevaluateRun(context, callerOf(c), { experimentId: c.req.param('id'), runId: c.req.param('rid') }), 202),
  );

  return app;
}
