import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type HostErrorCode =
  'bad_request' | 'unauthorized' | 'not_found' | 'conflict' | 'payload_too_large' | 'unsupported_media_type' | 'unprocessable' | 'too_many_requests' | 'internal';

const statusOf: Record<HostErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  internal: 500,
};

/** The reference host's one error type; `createHostApp` turns it into `{ error: { code, message, details? } }`. */
export class HostError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HostError';
    this.status = statusOf[code];
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/** The error code a bare HTTP status maps to, for errors raised by middleware we do not own. */
export function codeForStatus(status: number): HostErrorCode {
  const found = (Object.keys(statusOf) as HostErrorCode[]).find((code) => statusOf[code] === status);
  return found ?? (status >= 500 ? 'internal' : 'bad_request');
}
