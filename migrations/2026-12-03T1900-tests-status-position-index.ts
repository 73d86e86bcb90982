import type { Kysely } from 'kysely';

// Issue 20: a run's tests by status, in position order. The claim of the next tests to send
// (`where run_id = $1 and status = 'pending' order by position limit $n for update skip locked`) read every pending
// test of the run through (run_id, status) and sorted them to keep the first few: its cost grew with the run's size
// at every claim. With position in the index it reads the first few in order and stops. Every other query by
// (run_id, status) — counts by status, the open-tests check after a result, the deadline sweeps — uses the wider
// index as it used the old one; it replaces that one, so updates of a test write no more index entries than before.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tests_run_status_position_idx').on('tests').columns(['run_id', 'status', 'position']).execute();
  await db.schema.dropIndex('tests_run_status_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tests_run_status_idx').on('tests').columns(['run_id', 'status']).execute();
  await db.schema.dropIndex('tests_run_status_position_idx').execute();
}
