import { sql } from 'kysely';
import { openRunStatuses } from '../domain/experiment-status.js';
import type { Db } from './connect.js';

/** The projects that have a run in progress: the only ones whose spans a pulled host is asked for. */
export async function projectsWithOpenRuns(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('runs')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .select('experiments.project_id')
    .distinct()
    .where('runs.status', 'in', [...openRunStatuses])
    .execute();
  return rows.map((row) => row.project_id);
}

/** Whether the project has a run in progress other than `exceptRunId`. */
export async function hasOtherOpenRun(db: Db, projectId: string, exceptRunId?: string): Promise<boolean> {
  const result = await sql<{ open: boolean }>`
    select exists (select 1 from runs join experiments on experiments.id = runs.experiment_id
                   where experiments.project_id = ${projectId} and runs.status in (${sql.join([...openRunStatuses])})
                   ${exceptRunId ? sql`and runs.id <> ${exceptRunId}` : sql``}) as open`.execute(db);
  return result.rows[0]?.open === true;
}

/**
 * The project's cursor, its row locked until the transaction ends; `skipLocked`: undefined when another process
 * holds it (that process is reading the project's spans now).
 */
export async function lockSpanCursor(db: Db, projectId: string, options: { skipLocked: boolean }): Promise<string | null | undefined> {
  let query = db.selectFrom('host_span_cursors').select('cursor').where('project_id', '=', projectId).forUpdate();
  if (options.skipLocked) query = query.skipLocked();
  const row = await query.executeTakeFirst();
  if (row) return row.cursor;
  if (!options.skipLocked) return null;
  // No row, or a locked one: tell them apart without waiting.
  const exists = await db.selectFrom('host_span_cursors').select('project_id').where('project_id', '=', projectId).executeTakeFirst();
  return exists ? undefined : null;
}

export async function saveSpanCursor(db: Db, projectId: string, cursor: string): Promise<void> {
  await db
    .insertInto('host_span_cursors')
    .values({ project_id: projectId, cursor })
    .onConflict((oc) => oc.column('project_id').doUpdateSet({ cursor, updated_at: sql`now()` }))
    .execute();
}
