import { sql } from 'kysely';
import type { Db } from './connect.js';
import { jsonb } from './jsonb.js';

/** Where an experiment's tasks came from on a host with task sources (Phoenix: a dataset, some splits). */
export interface ExperimentTaskSource {
  sourceId: string;
  splits?: string[];
  /** The version the baseline pinned; absent before the baseline runs. */
  version?: string;
}

export async function getTaskSource(db: Db, experimentId: string): Promise<ExperimentTaskSource | null> {
  const row = await db
    .selectFrom('experiments')
    .select(['task_source', 'task_source_version'])
    .where('id', '=', experimentId)
    .executeTakeFirst();
  if (!row?.task_source) return null;
  const { sourceId, splits } = row.task_source;
  return { sourceId, ...(splits?.length ? { splits } : {}), ...(row.task_source_version ? { version: row.task_source_version } : {}) };
}

/** Records (or, with null, forgets) the source the tasks were chosen from; a pinned version is forgotten with it. */
export async function setTaskSource(db: Db, experimentId: string, source: { sourceId: string; splits?: string[] } | null): Promise<void> {
  await db
    .updateTable('experiments')
    .set({
      task_source: source ? jsonb({ sourceId: source.sourceId, ...(source.splits?.length ? { splits: source.splits } : {}) }) : null,
      task_source_version: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', experimentId)
    .execute();
}

/** The version of the source the baseline read its tasks at. */
export async function pinTaskSource(db: Db, experimentId: string, version: string): Promise<void> {
  await db.updateTable('experiments').set({ task_source_version: version }).where('id', '=', experimentId).execute();
}
