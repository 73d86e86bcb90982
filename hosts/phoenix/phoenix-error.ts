/** What went wrong talking to Phoenix, in words a host or a person can act on. */
export type PhoenixErrorCode =
  /** No answer: Phoenix is down, unreachable or too slow. Worth retrying later. */
  | 'phoenix_unavailable'
  /** 401/403: the API key is missing, wrong or lacks the permission. */
  | 'phoenix_unauthorized'
  /** 404: the project, dataset, experiment or example does not exist. */
  | 'phoenix_not_found'
  /** 409: Phoenix refuses a duplicate (a dataset name taken, an experiment run already written). */
  | 'phoenix_conflict'
  /** Another 4xx: Phoenix refused what we sent. */
  | 'phoenix_rejected'
  /** 5xx: Phoenix failed on its side. Worth retrying later. */
  | 'phoenix_failed'
  /** A 2xx whose body is not what Phoenix's API describes. */
  | 'phoenix_bad_response';

/** An error from the Phoenix client; `status` is Phoenix's HTTP status when it answered. */
export class PhoenixError extends Error {
  constructor(
    readonly code: PhoenixErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PhoenixError';
  }

  /** Whether trying the same call again later may succeed (Phoenix down, overloaded or failing). */
  get retryable(): boolean {
    return this.code === 'phoenix_unavailable' || this.code === 'phoenix_failed' || this.status === 429;
  }
}

/** The error code for a status Phoenix answered with (non-2xx). */
export function phoenixErrorCode(status: number): PhoenixErrorCode {
  if (status === 401 || status === 403) return 'phoenix_unauthorized';
  if (status === 404) return 'phoenix_not_found';
  if (status === 409) return 'phoenix_conflict';
  if (status === 429 || status >= 500) return status === 429 ? 'phoenix_unavailable' : 'phoenix_failed';
  return 'phoenix_rejected';
}
