import { Hono } from 'hono';
import type { PluginContext } from '../operations/plugin-context.js';
import { requirePrincipal } from '../api/require-principal.js';
import { experimentPageRoutes } from './experiment-page-routes.js';
import { listRoutes } from './list-routes.js';
import { modelPricePageRoutes } from './model-price-page-routes.js';
import { resultPageRoutes } from './result-page-routes.js';
import { requireSameOrigin } from '../api/same-origin.js';
import { setupRoutes } from './setup-routes.js';
import { handleViewError } from './page-error-handler.js';
import { tabAssetRoutes } from './tab-assets.js';
import { readableForm } from './readable-form.js';
import { runQueueRoutes } from './run-queue-routes.js';
import { manageRoutes } from './manage-routes.js';

/** The Experiments tab: server-rendered pages and htmx fragments under the plugin's mount path. */
export function viewRoutes(context: PluginContext): Hono {
  const app = new Hono();
  app.onError(handleViewError(context));

  tabAssetRoutes(app);

  // Only the tab's own paths: the API and the span hook, mounted beside it, keep their own guards.
  for (const path of ['/', '/experiments', '/experiments/*', '/model-prices', '/model-prices/*']) {
    app.use(path, requireSameOrigin({ browserHeadersRequired: true }));
    app.use(path, requirePrincipal(context.host));
    app.use(path, readableForm);
  }
  app.route('/', listRoutes(context));
  app.route('/', setupRoutes(context));
  app.route('/', experimentPageRoutes(context));
  app.route('/', runQueueRoutes(context));
  app.route('/', manageRoutes(context));
  app.route('/', resultPageRoutes(context));
  app.route('/', modelPricePageRoutes(context));
  return app;
}
