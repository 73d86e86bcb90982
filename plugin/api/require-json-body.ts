import { createMiddleware } from 'hono/factory';
import { ExperimentsError } from '../errors.js';

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;
const withBody = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A body sent to the JSON API must be declared as JSON (415 otherwise), as the host answers: read as no body, a
 * `text/plain` or form body would act with default settings (a run started with defaults). A request without a body
 * and without a content type (cancel, retry) passes.
 */
export const requireJsonBody = createMiddleware(async (c, next) => {
  if (!withBody.has(c.req.method)) return next();
  const contentType = c.req.header('content-type');
  const length = c.req.header('content-length');
  const hasBody = contentType !== undefined || (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
  if (hasBody && !jsonMediaType.test((contentType ?? '').split(';')[0]!.trim()))
    throw new ExperimentsError('unsupported_media_type', 'Send the body as JSON with content-type: application/json.');
  await next();
});
