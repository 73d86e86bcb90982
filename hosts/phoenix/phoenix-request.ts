import type { z } from 'zod';
import { PhoenixError, phoenixErrorCode } from './phoenix-error.js';

/** Where Phoenix is and how to reach it. */
export interface PhoenixConnection {
  /** e.g. `http://127.0.0.1:6006` (a path prefix such as `/phoenix` is kept). */
  baseUrl: string;
  /** A Phoenix API key (a system key for a service), sent as `Authorization: Bearer …`; leave out when auth is off. */
  apiKey?: string;
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RequestOptions<T> {
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** The answer's shape; without one the body is ignored. */
  schema?: z.ZodType<T>;
}

/** One call to Phoenix's REST API: JSON in and out, every failure a `PhoenixError`. */
export type PhoenixRequest = <T = undefined>(method: string, path: string, options?: RequestOptions<T>) => Promise<T>;

/**
 * The HTTP core every part of the Phoenix client uses: adds the API key, times out, checks the answer's shape and
 * turns every failure into a `PhoenixError` that says what was asked and what came back.
 */
export function createPhoenixRequest(connection: PhoenixConnection): PhoenixRequest {
  const base = connection.baseUrl.replace(/\/+$/, '');
  const timeoutMs = connection.timeoutMs ?? 15_000;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;

  return async function request<T>(method: string, path: string, options: RequestOptions<T> = {}): Promise<T> {
    const url = `${base}${path}${queryString(options.query)}`;
    const what = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: options.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : causeOf(error);
      throw new PhoenixError('phoenix_unavailable', `Phoenix at ${base} could not be reached (${what}): ${reason}.`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      throw new PhoenixError(
        phoenixErrorCode(response.status),
        `Phoenix answered ${response.status} to ${what}${excerpt(text) ? `: ${excerpt(text)}` : ''}.`,
        response.status,
      );
    }
    if (!options.schema) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PhoenixError('phoenix_bad_response', `Phoenix answered ${what} with a body that is not JSON.`, response.status);
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PhoenixError(
        'phoenix_bad_response',
        `Phoenix's answer to ${what} is not what its API describes (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'}).`,
        response.status,
      );
    }
    return parsed.data;
  };
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) params.append(name, item);
    else params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Phoenix answers errors as text or as `{ detail }`; keep one short line of it. */
function excerpt(text: string): string {
  let detail = text;
  try {
    const json = JSON.parse(text) as { detail?: unknown };
    if (json && typeof json === 'object' && 'detail' in json)
      detail = typeof json.detail === 'string' ? json.detail : JSON.stringify(json.detail);
  } catch {
    // plain text
  }
  const line = detail.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
