import { createMiddleware } from 'hono/factory';
import { ExperimentsError } from '../errors.js';

const formTypes = /^(multipart\/form-data|application\/x-www-form-urlencoded)$/i;

/**
 * Reads a posted form once, before any route: a body that is cut off or malformed (a multipart body without its
 * closing boundary, a bad boundary) is a 400 for every form route, including those that read no field. The parsed
 * form is kept by Hono, so `readForm` later gets the same values without reading the body again.
 */
export const readableForm = createMiddleware(async (c, next) => {
  if (c.req.method !== 'POST') return next();
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (formTypes.test(mediaType)) {
    try {
      await c.req.parseBody({ all: true });
    } catch {
      throw new ExperimentsError('bad_request', 'The form could not be read: its body is malformed or cut off. Nothing was changed.');
    }
  }
  await next();
});
