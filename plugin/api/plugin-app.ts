import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ExperimentsError } from '../errors.js';
import { handleError } from './error-handler.js';
import { securityHeaders } from '../host-security/security-headers.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { requirePrincipal } from './require-principal.js';
import { requireSameOrigin } from './same-origin.js';
import { requireJsonBody } from './require-json-body.js';
import { experimentRoutes } from './experiment-routes.js';
import { runRoutes } from './run-routes.js';
import { evaluationRoutes } from './evaluation-routes.js';
import { resultRoutes } from './result-routes.js';
import { modelPriceRoutes } from './model-price-routes.js';
import { spanHookRoutes } from './span-hook-routes.js';
import { catalogRoutes } from './catalog-routes.js';
import { viewRoutes } from '../pages/tab-routes.js';

const maxBodyBytes = 1024 * 1024;

/** The plugin's Hono app: JSON API under /api, the signed span hook, and the tab's pages. */
export function createPluginApp(context: PluginContext): Hono {
  const app = new Hono({ strict: false });
  app.onError(handleError);
  // The tab's pages carry their own security headers, so a host that sets none still serves them safely.
  app.use('*', securityHeaders({ frameAncestors: context.config.frameAncestors.split(/[\s,]+/).filter(Boolean) }));
  app.use(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new ExperimentsError('payload_too_large', `The body is larger than ${maxBodyBytes / 1024} KiB.`);
      },
    }),
  );
  app.route('/hooks', spanHookRoutes(context));
  app.use('/api/*', requireSameOrigin({ browserHeadersRequired: false }), requirePrincipal(context.host), requireJsonBody);
  app.route('/api/experiments', experimentRoutes(context));
  app.route('/api/experiments', runRoutes(context));
  app.route('/api/experiments', evaluationRoutes(context));
  app.route('/api/experiments', resultRoutes(context));
  app.route('/api', catalogRoutes(context));
  app.route('/api/model-prices', modelPriceRoutes(context));
  app.all('/api/*', () => {
    throw new ExperimentsError('not_found', 'There is no such Experiments API route.');
  });
  app.route('/', viewRoutes(context));
  return app;
}
