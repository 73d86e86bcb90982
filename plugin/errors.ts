import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Error codes a client can branch on; the message is for a person. */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'locked'
  | 'invalid_transition'
  | 'unprocessable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unavailable'
  | 'internal';

const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 409,
  invalid_transition: 409,
  unprocessable: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  internal: 500,
};

/**
 * The one error type of the plugin. Thrown anywhere (domain, store, routes) and turned into
 * `{ error: { code, message, details? } }` in one place.
 */
export class ExperimentsError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ExperimentsError';
    this.status = statusOf[code];
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const notFound = (what: string, id: string) => new ExperimentsError('not_found', `${what} ${id} was not found.`);
