import { sql, type Kysely } from 'kysely';

// For hosts the plugin pulls from (Phoenix): where span reading stands per project, the task source and the version
// of it a baseline pinned, and which results of a run were written back to the host.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('host_span_cursors')
    .addColumn('project_id', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable('experiments')
    .addColumn('task_source', 'jsonb')
    .addColumn('task_source_version', 'text')
    .execute();
  await db.schema
    .alterTable('runs')
    .addColumn('host_results_version', 'integer')
    .addColumn('host_results_url', 'text')
    .addColumn('host_results_error', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('host_results_error').dropColumn('host_results_url').dropColumn('host_results_version').execute();
  await db.schema.alterTable('experiments').dropColumn('task_source_version').dropColumn('task_source').execute();
  await db.schema.dropTable('host_span_cursors').execute();
}
