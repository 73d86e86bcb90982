import { Hono } from 'hono';
import { archiveExperiment } from '../operations/archive-experiment.js';
import { callerOf } from '../operations/caller.js';
import { completeExperiment } from '../operations/complete-experiment.js';
import { createExperiment } from '../operations/create-experiment.js';
import { createVariant } from '../operations/create-variant.js';
import {
  baselineSchema,
  completeSchema,
  createExperimentSchema,
  emptySchema,
  listQuerySchema,
  updateExperimentSchema,
  variantEditSchema,
  variantSchema,
} from '../operations/experiment-input.js';
import { getExperimentView } from '../operations/experiment-view.js';
import { listExperiments } from '../operations/list-experiments.js';
import { setBaseline } from '../operations/set-baseline.js';
import { updateExperiment } from '../operations/update-experiment.js';
import { getVariantConfig } from '../operations/variant-config.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { deleteVariant, editVariant } from '../operations/edit-variant.js';
import { unarchiveExperiment } from '../operations/unarchive-experiment.js';
import { validate } from './validate.js';

/**
 * Experiments and their variants over JSON (DESIGN §4, §5, §9): each route validates its input and hands it to
 * the operation of the same name in `plugin/operations`, which the tab's pages call too.
 */
export function experimentRoutes(context: PluginContext): Hono {
  const app = new Hono();

  app.get('/', validate('query', listQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const experiments = await listExperiments(context, callerOf(c), {
      ...(query.status === undefined ? {} : { status: query.status }),
      includeArchived: query.archived === 'true',
      ...(query.key === undefined ? {} : { key: query.key }),
    });
    return c.json({ experiments });
  });

  app.post('/', validate('json', createExperimentSchema), async (c) =>
    c.json(await createExperiment(context, callerOf(c), c.req.valid('json')), 201),
  );

  app.get('/:id', async (c) => c.json(await getExperimentView(context, callerOf(c), c.req.param('id'))));

  app.patch('/:id', validate('json', updateExperimentSchema), async (c) =>
    c.json(await updateExperiment(context, callerOf(c), c.req.param('id'), c.req.valid('json'))),
  );

  app.put('/:id/baseline', validate('json', baselineSchema), async (c) =>
    c.json(await setBaseline(context, callerOf(c), c.req.param('id'), c.req.valid('json'))),
  );

  app.post('/:id/variants', validate('json', variantSchema), async (c) =>
    c.json(await createVariant(context, callerOf(c), c.req.param('id'), c.req.valid('json')), 201),
  );

  // A draft variant may be edited or deleted until it first runs (issue 18).
  app.patch('/:id/variants/:vid', validate('json', variantEditSchema), async (c) =>
    c.json(await editVariant(context, callerOf(c), { experimentId: c.req.param('id'), variantId: c.req.param('vid') }, c.req.valid('json'))),
  );

  app.delete('/:id/variants/:vid', async (c) =>
    c.json(await deleteVariant(context, callerOf(c), { experimentId: c.req.param('id'), variantId: c.req.param('vid') })),
  );

  app.get('/:id/variants/:vid/config', async (c) =>
    c.json(await getVariantConfig(context, callerOf(c), c.req.param('id'), c.req.param('vid'))),
  );

  app.post('/:id/complete', validate('json', completeSchema), async (c) =>
    c.json(await completeExperiment(context, callerOf(c), c.req.param('id'), c.req.valid('json'))),
  );

  app.post('/:id/archive', validate('json', emptySchema), async (c) => c.json(await archiveExperiment(context, callerOf(c), c.req.param('id'))));

  app.post('/:id/unarchive', validate('json', emptySchema), async (c) => c.json(await unarchiveExperiment(context, callerOf(c), c.req.param('id'))));

  return app;
}
