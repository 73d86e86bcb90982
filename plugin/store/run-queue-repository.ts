import type { Db } from './connect.js';
import type { ExperimentScope } from './experiment-repository.js';
import { jsonb } from './jsonb.js';

/** A run waiting its turn, with the settings it will start with. */
export interface QueuedRun {
  id: string;
  variantId: string;
  variantName: string;
  settings: Record<string, unknown>;
  createdBy: string | null;
  createdAt: Date;
}

/** The experiment's queue, first to run first. */
export async function listQueuedRuns(db: Db, scope: ExperimentScope): Promise<QueuedRun[]> {
  const rows = await db
    .selectFrom('run_queue as q')
    .innerJoin('experiments as e', 'e.id', 'q.experiment_id')
    .innerJoin('variants as v', 'v.id', 'q.variant_id')
    .select(['q.id', 'q.variant_id', 'v.name', 'q.settings', 'q.created_by', 'q.created_at'])
    .where('e.project_id', '=', scope.projectId)
    .where('q.experiment_id', '=', scope.experimentId)
    .orderBy('q.position')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    variantId: row.variant_id,
    variantName: row.name,
    settings: row.settings,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
  }));
}

/** Appends runs of these variants, in this order; a variant already queued keeps its place. Returns the entries added. */
export async function enqueueRuns(
  db: Db,
  input: { experimentId: string; variantIds: readonly string[]; settings: object; createdBy: string },
): Promise<string[]> {
  const added: string[] = [];
  // One by one, so positions follow the order given.
  for (const variantId of input.variantIds) {
    const inserted = await db
      .insertInto('run_queue')
      .values({ experiment_id: input.experimentId, variant_id: variantId, settings: jsonb(input.settings), created_by: input.createdBy })
      .onConflict((conflict) => conflict.column('variant_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) added.push(inserted.id);
  }
  return added;
}

/** Takes these entries out again (their queueing could not be completed). */
export async function removeQueuedRuns(db: Db, entryIds: readonly string[]): Promise<void> {
  if (entryIds.length > 0) await db.deleteFrom('run_queue').where('id', 'in', entryIds).execute();
}

/** The project of an experiment, for work that starts from its id alone (the queue's workflow). */
export async function experimentProjectOf(db: Db, experimentId: string): Promise<string | undefined> {
  const row = await db.selectFrom('experiments').select('project_id').where('id', '=', experimentId).executeTakeFirst();
  return row?.project_id;
}

/** The experiment's run that has not ended, if any, with its current workflow id. */
export async function findOpenRun(db: Db, experimentId: string) {
  return db
    .selectFrom('runs')
    .select(['id', 'workflow_id'])
    .where('experiment_id', '=', experimentId)
    .where('status', 'in', ['pending', 'running'])
    .executeTakeFirst();
}

/** Takes a queued run out of the queue; false when it was not queued (already started, or removed). */
export async function removeQueuedRun(db: Db, experimentId: string, entryId: string): Promise<boolean> {
  const removed = await db.deleteFrom('run_queue').where('experiment_id', '=', experimentId).where('id', '=', entryId).executeTakeFirst();
  return Number(removed.numDeletedRows) > 0;
}

/** Empties the experiment's queue; returns how many runs it held. */
export async function clearRunQueue(db: Db, experimentId: string): Promise<number> {
  const removed = await db.deleteFrom('run_queue').where('experiment_id', '=', experimentId).executeTakeFirst();
  return Number(removed.numDeletedRows);
}

/** The first queued run of the experiment, locked until the transaction ends (skipped by a concurrent taker). */
export async function lockFirstQueuedRun(db: Db, experimentId: string) {
  return db
    .selectFrom('run_queue')
    .select(['id', 'variant_id', 'settings', 'created_by'])
    .where('experiment_id', '=', experimentId)
    .orderBy('position')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/** Takes a variant out of the queue (it is being run now, so it need not run again). */
export async function unqueueVariant(db: Db, variantId: string): Promise<void> {
  await db.deleteFrom('run_queue').where('variant_id', '=', variantId).execute();
}
