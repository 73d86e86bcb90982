import { ExperimentsError } from '../errors.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string) => uuid.test(value);

/** A path id that is not a UUID names nothing that exists: 404, never a database error. */
export function requireUuid(value: string | undefined, what: string): string {
  if (!value || !isUuid(value)) throw new ExperimentsError('not_found', `${what} ${value ?? ''} was not found.`);
  return value.toLowerCase();
}
