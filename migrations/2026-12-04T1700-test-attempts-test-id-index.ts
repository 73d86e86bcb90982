import type { Kysely } from 'kysely';

// Issue 20: a trace whose test id belongs to an earlier attempt of a test (retried in place since) is kept as late.
// Linking looked those ids up by joining every test of the project's runs to its attempts, as test_attempts had no
// index on test_id: each link read the whole project's tests, about 1 ms a test at 1,000 tests. Attempts are few
// (a row per test retried in place), so the index costs little to keep.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('test_attempts_test_id_idx').on('test_attempts').column('test_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('test_attempts_test_id_idx').execute();
}
