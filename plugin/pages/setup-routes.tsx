import { Hono } from 'hono';
import type { PluginContext } from '../operations/plugin-context.js';
import { setupBaselineRoutes } from './setup-baseline-routes.js';
import { setupDescribeRoutes } from './setup-describe-routes.js';
import { setupStepsRoutes } from './setup-steps-routes.js';
import { setupTasksRoutes } from './setup-tasks-routes.js';

/**
 * The new-experiment flow: name and hypothesis → inference steps → tasks → baseline configuration → run. Each step
 * is a plain form that posts, saves through the same operations as the API, and redirects to the next step; a
 * refused form comes back with each error beside its field.
 */
export function setupRoutes(context: PluginContext): Hono {
  const app = new Hono();
  app.route('/', setupDescribeRoutes(context));
  app.route('/', setupStepsRoutes(context));
  app.route('/', setupTasksRoutes(context));
  app.route('/', setupBaselineRoutes(context));
  return app;
}
