import { ExperimentsError } from '../errors.js';

// The cursor names its run, so a cursor from another run is refused instead of silently skipping rows.

/** The opaque cursor of the page of a run's tests after `position`. */
export const encodeTestCursor = (runId: string, position: number) => Buffer.from(JSON.stringify([runId, position]), 'utf8').toString('base64url');

/** The position a cursor of `runId` continues after; a cursor that is not one (or is another run's) is a 400. */
export function decodeTestCursor(cursor: string, runId: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    parsed[0] === runId &&
    Number.isSafeInteger(parsed[1]) &&
    (parsed[1] as number) >= 0
  ) {
    return parsed[1] as number;
  }
  throw new ExperimentsError('bad_request', 'The cursor is not valid for this run; use the nextCursor of a previous page.');
}
