import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ExperimentsError } from '../errors.js';

/** Turns any thrown error into the plugin's JSON error shape; unknown errors never leak details. */
export function handleError(error: Error, c: Context) {
  if (error instanceof ExperimentsError) return c.json(error.toJSON(), error.status);
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'bad_request';
    return c.json({ error: { code, message: error.message || 'The request could not be processed.' } }, status);
  }
  // A host capability may refuse the request with its own error carrying a 4xx status.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return c.json({ error: { code: status === 404 ? 'not_found' : 'bad_request', message: error.message } }, status as 400);
  }
  if (error instanceof SyntaxError) {
    return c.json({ error: { code: 'bad_request', message: 'The body is not valid JSON.' } }, 400);
  }
  console.error('experiments: unexpected error', error);
  return c.json({ error: { code: 'internal', message: 'Something went wrong on our side; the request changed nothing.' } }, 500);
}
