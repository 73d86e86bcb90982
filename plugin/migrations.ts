// The package's `llm-experiments-plugin/migrations` entry: the plugin's schema migrations for a deploy step that runs
// them before any host starts (`plugin.migrate()` does the same from inside a host).
import type { Kysely } from 'kysely';
import { connectDatabase } from './store/connect.js';
import { migrateDown, migrateToLatest, migrationsFolder } from './store/migrate.js';

export { migrateDown, migrateToLatest, migrationsFolder };

/** One applied migration: its name (the file's, without extension) and how it went. */
export interface AppliedMigration {
  migrationName: string;
  direction: 'Up' | 'Down';
  status: 'Success' | 'Error' | 'NotExecuted';
}

/**
 * Connects to `databaseUrl`, creates the plugin's schema (default `experiments`) if needed, applies every pending
 * migration and disconnects. Returns the migrations it applied (none when the schema was up to date).
 */
export async function migrateExperiments(options: { databaseUrl: string; schema?: string }): Promise<AppliedMigration[]> {
  const schema = options.schema ?? 'experiments';
  const db = connectDatabase({ url: options.databaseUrl, schema, maxConnections: 1 });
  try {
    return await migrateToLatest(db as Kysely<any>, schema);
  } finally {
    await db.destroy();
  }
}
