import { CliError } from '../cli-error.js';

/** The server answered with the API's error shape `{ error: { code, message, details? } }`. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly details: unknown,
    request: string,
  ) {
    const hint =
      status === 401
        ? ' Check EXPERIMENTS_API_KEY (or --api-key): it must be a key of the project.'
        : // Every Experiments API has this route: without it, the address is not the tab's.
          status === 404 && /^GET \/experiments(\?|$)/.test(request)
          ? ` Is EXPERIMENTS_URL (or --url) the address of the Experiments tab, e.g. http://localhost:3000/plugins/experiments?`
          : '';
    super(`${request} was refused (${status} ${code}): ${serverMessage}${hint}`);
    this.name = 'ApiError';
  }
}

/** The server could not be reached, or said it is unavailable for now (502/503/504/429): worth trying again. */
export class ServerUnavailableError extends CliError {
  constructor(
    readonly url: string,
    /** What happened, e.g. `ECONNREFUSED` or `503 Service Unavailable`. */
    readonly reason: string,
  ) {
    super(`No answer from ${url} (${reason})`);
    this.name = 'ServerUnavailableError';
  }
}

const transientStatuses = new Set([429, 502, 503, 504]);

export interface ApiClientOptions {
  /** The Experiments tab's address, e.g. `http://localhost:3000/plugins/experiments`; the API is under `/api`. */
  url: string;
  apiKey: string;
  requestTimeoutMs?: number;
  /** Called with one line per request (method, path, status, time): never a header. */
  log?: (line: string) => void;
}

export interface ApiClient {
  readonly url: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'the request timed out';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** A client of the plugin's JSON API that sends the project's key as `x-api-key` and never shows it. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.url.replace(/\/+$/, '');
  const timeout = options.requestTimeoutMs ?? 30_000;
  return {
    url: base,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const request = `${method} ${path}`;
      const started = Date.now();
      let response: Response;
      try {
        response = await fetch(`${base}/api${path}`, {
          method,
          headers: {
            accept: 'application/json',
            'x-api-key': options.apiKey,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(timeout),
        });
      } catch (error) {
        options.log?.(`${request} → no answer (${networkReason(error)})`);
        throw new ServerUnavailableError(base, networkReason(error));
      }
      const text = await response.text().catch(() => '');
      options.log?.(`${request} → ${response.status} (${Date.now() - started} ms)`);
      if (transientStatuses.has(response.status)) {
        throw new ServerUnavailableError(base, `${response.status} ${response.statusText}`.trim());
      }
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (response.ok && parsed !== undefined) return parsed as T;
      const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
      if (error && typeof error.message === 'string') {
        throw new ApiError(response.status, String(error.code ?? 'error'), error.message, error.details, request);
      }
      const type = response.headers.get('content-type') ?? 'no content type';
      throw new CliError(
        `${base}/api${path} did not answer as the Experiments API (${response.status}, ${type}). ` +
          'EXPERIMENTS_URL (or --url) must be the address of the Experiments tab, e.g. http://localhost:3000/plugins/experiments.',
      );
    },
  };
}
