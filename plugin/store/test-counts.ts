import type { Db } from './connect.js';

/** Which tests of a run: of one status and/or of some tasks (the breakdown's filters). */
export interface TestSelection {
  status?: string;
  taskIds?: readonly string[];
  /** Only tests at or before this position. */
  upToPosition?: number;
}

const selected = (db: Db, runId: string, selection: TestSelection) =>
  db
    .selectFrom('tests')
    .where('run_id', '=', runId)
    .$if(selection.status !== undefined, (qb) => qb.where('status', '=', selection.status!))
    .$if(selection.taskIds !== undefined, (qb) => qb.where('task_id', 'in', [...selection.taskIds!]))
    .$if(selection.upToPosition !== undefined, (qb) => qb.where('position', '<=', selection.upToPosition!));

/** How many tests of the run the selection holds. */
export async function countSelectedTests(db: Db, runId: string, selection: TestSelection): Promise<number> {
  if (selection.taskIds !== undefined && selection.taskIds.length === 0) return 0;
  const row = await selected(db, runId, selection)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The position a page starting at the `offset`-th selected test reads after (-1 for the first), in dispatch order. */
export async function positionBeforeOffset(db: Db, runId: string, selection: TestSelection, offset: number): Promise<number> {
  if (offset <= 0 || (selection.taskIds !== undefined && selection.taskIds.length === 0)) return -1;
  const row = await selected(db, runId, selection)
    .select('position')
    .orderBy('position')
    .offset(offset - 1)
    .limit(1)
    .executeTakeFirst();
  return row?.position ?? -1;
}
