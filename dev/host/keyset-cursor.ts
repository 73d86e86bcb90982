import { sql } from 'kysely';
import { HostError } from './host-error.js';

/** A position in a list ordered by (timestamp, key): the timestamp at microsecond precision, as Postgres has it. */
export interface KeysetPosition {
  at: string;
  key: string;
}

const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * A timestamp column as UTC text with microseconds. A JS Date would drop the microseconds and make the
 * keyset comparison skip or repeat rows.
 */
export const exactTimestamp = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * An ISO timestamp as a query value without losing microseconds. Sent as a plain timestamptz parameter,
 * postgres.js would pass it through a JS Date and keep milliseconds only.
 */
export const exactTimestampValue = (iso: string) => sql<Date>`cast(${iso}::text as timestamptz)`;

export const encodeCursor = (position: KeysetPosition) =>
  Buffer.from(JSON.stringify([position.at, position.key]), 'utf8').toString('base64url');

/** Reads a cursor made by `encodeCursor`; anything else is a 400, never a database error. */
export function decodeCursor(cursor: string, isKey: (key: string) => boolean): KeysetPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2) {
    const [at, key] = parsed as unknown[];
    if (typeof at === 'string' && timestampPattern.test(at) && typeof key === 'string' && isKey(key)) return { at, key };
  }
  throw new HostError('bad_request', 'The cursor is not valid; use the nextCursor of a previous page.');
}
