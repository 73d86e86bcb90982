import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Issue 20: the claim of a run's next tests reads its pending tests in position order, and a result asks whether its
// run still has a pending test. Postgres chose their paths by statistics: gathered while most tests were pending (as
// autovacuum does in a new, large run's first minute), they sent it through (run_id, position), reading past every
// test already sent, at every claim and every result (seen in the overhead benchmark at 1,000 tests). This index
// holds only pending tests, so it needs no status filter and wins there. A test has an entry only while it is
// pending: its later updates add none.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tests_pending_idx').on('tests').columns(['run_id', 'position']).where(sql.ref('status'), '=', 'pending').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tests_pending_idx').execute();
}
