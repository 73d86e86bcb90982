import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ShellErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'too_many_requests'
  | 'bad_gateway'
  | 'internal';

const statusOf: Record<ShellErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  bad_gateway: 502,
  internal: 500,
};

/** The shell's one error type; the app turns it into `{ error: { code, message, details? } }`. */
export class ShellError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ShellErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ShellError';
    this.status = statusOf[code];
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
