import { sql } from 'kysely';
import type { Db } from './connect.js';

/** The status an archived experiment had before it was archived, from its event log. */
export async function statusBeforeArchive(db: Db, experimentId: string): Promise<string | undefined> {
  const event = await db
    .selectFrom('experiment_events')
    .select('from_status')
    .where('experiment_id', '=', experimentId)
    .where('kind', '=', 'archive')
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return event?.from_status ?? undefined;
}

/**
 * Moves an archived experiment back to `status` with a guarded update, and records it; false when it was not archived
 * any more. A key another open experiment took meanwhile fails the unique index (the caller says so).
 */
export async function restoreArchived(db: Db, input: { experimentId: string; status: string; actor: string }): Promise<boolean> {
  const updated = await db
    .updateTable('experiments')
    .set({ status: input.status, archived_at: null, updated_at: sql<Date>`now()` })
    .where('id', '=', input.experimentId)
    .where('status', '=', 'archived')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return false;
  await db
    .insertInto('experiment_events')
    .values({ experiment_id: input.experimentId, actor: input.actor, kind: 'unarchive', from_status: 'archived', to_status: input.status })
    .execute();
  return true;
}
