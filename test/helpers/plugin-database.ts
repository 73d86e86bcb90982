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
