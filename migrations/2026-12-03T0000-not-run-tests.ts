import { sql, type Kysely } from 'kysely';

// Only what ran counts (issue 14): a test that was never sent, or whose result never came because its run stopped,
// is `not_run` with a reason, and counts in no rate. Value lists are written out here, as in the initial schema, so
// later code changes never change this migration; plugin/domain/experiment-status.ts holds the same lists (a test
// in test/data-layer.test.ts keeps them equal). A new reason is one edit there plus a migration re-creating
// `tests_not_run_reason_check`.
//
// A run's speed is over the time its tests actually ran: a retry reopens the run, so the time of its earlier
// attempts is kept in `earlier_active_ms` and the current attempt's start in `resumed_at`.

const inList = (column: string, values: string[]) =>
  sql`${sql.ref(column)} in (${sql.join(values.map((value) => sql.lit(value)))})`;

const oldTestStatuses = ['pending', 'dispatched', 'awaiting_trace', 'evaluating', 'passed', 'failed', 'errored', 'timed_out'];
const testStatuses = [...oldTestStatuses, 'not_run'];
const notRunReasons = ['cancelled', 'stopped_early', 'budget_reached'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tests').dropConstraint('tests_status_check').execute();
  await db.schema.alterTable('tests').addCheckConstraint('tests_status_check', inList('status', testStatuses)).execute();
  await db.schema.alterTable('tests').addColumn('not_run_reason', 'text').execute();
  await db.schema.alterTable('tests').addCheckConstraint('tests_not_run_reason_check', inList('not_run_reason', notRunReasons)).execute();
  // A reason exactly when the test did not run.
  await db.schema
    .alterTable('tests')
    .addCheckConstraint('tests_not_run_has_reason_check', sql`(status = 'not_run') = (not_run_reason is not null)`)
    .execute();
  await db.schema.alterTable('runs').addColumn('resumed_at', 'timestamptz').execute();
  await db.schema.alterTable('runs').addColumn('earlier_active_ms', 'double precision', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('earlier_active_ms').execute();
  await db.schema.alterTable('runs').dropColumn('resumed_at').execute();
  // Tests that did not run had no place in the old schema: they go back to what a cancellation used to make them.
  await sql`update ${sql.table('tests')} set status = 'errored', error = coalesce(error, 'the run was cancelled'), not_run_reason = null where status = 'not_run'`.execute(db);
  await db.schema.alterTable('tests').dropConstraint('tests_not_run_has_reason_check').execute();
  await db.schema.alterTable('tests').dropConstraint('tests_not_run_reason_check').execute();
  await db.schema.alterTable('tests').dropColumn('not_run_reason').execute();
  await db.schema.alterTable('tests').dropConstraint('tests_status_check').execute();
  await db.schema.alterTable('tests').addCheckConstraint('tests_status_check', inList('status', oldTestStatuses)).execute();
}
