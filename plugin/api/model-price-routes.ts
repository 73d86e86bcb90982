import { Hono } from 'hono';
import { callerOf } from '../operations/caller.js';
import { getModelPrices, projectModelPricesSchema, setProjectModelPrices } from '../operations/model-prices.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { validate } from './validate.js';

/** The model prices tests are priced by (issue 15): read them, and set the project's own. */
export function modelPriceRoutes(context: PluginContext): Hono {
  const app = new Hono();
  app.get('/', async (c) => c.json(await getModelPrices(context, callerOf(c))));
  app.put('/', validate('json', projectModelPricesSchema), async (c) => c.json(await setProjectModelPrices(context, callerOf(c), c.req.valid('json'))));
  return app;
}
