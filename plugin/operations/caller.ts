import type { Context } from 'hono';

/** Who is asking: the project every read and write is scoped to, and the actor the event log records. */
export interface Caller {
  projectId: string;
  actor: string;
}

/** The caller a request was authenticated as (set by the auth middleware of the API or the views). */
export const callerOf = (c: Context): Caller => ({ projectId: c.get('projectId'), actor: c.get('actor') });
