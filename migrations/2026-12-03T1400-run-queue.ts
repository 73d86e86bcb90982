import { sql, type Kysely } from 'kysely';

// Issue 18: runs of an experiment may be queued ("Run all drafts") and go one after another. The queue lives here,
// not in a process's memory, so a restart loses none of it; the experiment's queue workflow takes the first entry
// each time the experiment is free to run. An entry holds the settings its run will start with.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('run_queue')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('position', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('experiment_id', 'uuid', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('variant_id', 'uuid', (c) => c.notNull().unique().references('variants.id').onDelete('cascade'))
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('run_queue_experiment_idx').on('run_queue').columns(['experiment_id', 'position']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('run_queue').execute();
}
