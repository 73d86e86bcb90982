import { connectDatabase, type Db } from '../../plugin/store/connect.js';
import { migrateToLatest } from '../../plugin/store/migrate.js';
import { createTestDatabase } from './test-database.js';

/** A database of its own with the plugin's tables migrated, and a pool on it; `close()` drops it. */
export async function createPluginDatabase(prefix: string): Promise<{ db: Db; close(): Promise<void> }> {
  const database = await createTestDatabase(prefix);
  const db = connectDatabase({ url: database.url, schema: 'experiments' });
  await migrateToLatest(db, 'experiments');
  return {
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}

/** An experiment of the project with its baseline variant, the rows a test of runs and tests stands on. */
export async function insertExperimentWithBaseline(db: Db, projectId: string, name: string) {
  const experiment = await db.insertInto('experiments').values({ project_id: projectId, name }).returning('id').executeTakeFirstOrThrow();
  const variant = await db.insertInto('variants').values({ experiment_id: experiment.id, name: 'Baseline', is_baseline: true }).returning('id').executeTakeFirstOrThrow();
  return { experiment, variant };
}
