import { sql, type Kysely } from 'kysely';

// A finished run's figures are computed once and kept: an experiment of 20 variants × 10,000 tests must
// render its results in well under a second. `results_version` changes whenever a finished run's results
// do (a re-evaluation), so a kept summary is never served stale.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('results_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('run_summaries')
    .addColumn('run_id', 'uuid', (c) => c.primaryKey().references('runs.id').onDelete('cascade'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('run_pair_counts')
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('baseline_key', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('pairs', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_pair_counts_pkey', ['run_id', 'baseline_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('run_pair_counts').execute();
  await db.schema.dropTable('run_summaries').execute();
  await db.schema.alterTable('runs').dropColumn('results_version').execute();
}
