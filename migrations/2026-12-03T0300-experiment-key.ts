import { sql, type Kysely } from 'kysely';

// An experiment may carry a key chosen by its client (a definition file's `key`), so a client finds its experiment
// again however it was renamed, and two clients racing to create it cannot make two: a key is unique in its project
// among the experiments that are not archived (archiving one frees its key for a new experiment).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('experiments').addColumn('key', 'text').execute();
  await db.schema
    .createIndex('experiments_project_key_unique')
    .on('experiments')
    .columns(['project_id', 'key'])
    .unique()
    .where(sql.ref('key'), 'is not', null)
    .where(sql.ref('status'), '<>', 'archived')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('experiments_project_key_unique').execute();
  await db.schema.alterTable('experiments').dropColumn('key').execute();
}
