import { isUuid } from '../domain/uuid.js';
import { ExperimentsError } from '../errors.js';

/** A path id that is not a UUID names nothing that exists: 404, never a database error. */
export function requireUuid(value: string | undefined, what: string): string {
  if (!value || !isUuid(value)) throw new ExperimentsError('not_found', `${what} ${value ?? ''} was not found.`);
  return value.toLowerCase();
}
