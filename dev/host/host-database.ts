import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kysely, Migrator, sql, type Migration, type MigrationProvider, type RawBuilder } from 'kysely';
import postgres from 'postgres';
import { PostgresJsDialect } from '../../plugin/store/postgres-js-dialect.js';
import type { HostDatabase } from './host-tables.js';

/** The Postgres schema holding the reference host's tables (the plugin keeps its own). */
export const hostSchema = 'host';

export type HostDb = Kysely<HostDatabase>;

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * A value for a jsonb column, typed in the SQL itself. Left to postgres.js, a string would be stored as a JSON
 * string and a top-level array could be taken for a Postgres array.
 */
export const jsonb = <T>(value: T): RawBuilder<T> => sql<T>`cast(cast(${JSON.stringify(value)} as text) as jsonb)`;

/** Opens a pooled connection whose queries run in the host's schema. */
export function connectHostDatabase(options: { url: string; maxConnections?: number }): HostDb {
  // search_path instead of Kysely's withSchema plugin: the same effect without rewriting every query.
  const client = postgres(options.url, { max: options.maxConnections ?? 10, onnotice: () => {}, connection: { search_path: hostSchema, application_name: 'reference-host' } });
  return new Kysely<HostDatabase>({ dialect: new PostgresJsDialect(client) });
}

// Our own import(), so whichever TypeScript loader runs us (tsx, vitest) also loads the migrations.
const folderProvider: MigrationProvider = {
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const file of (await readdir(migrationsFolder)).sort()) {
      if (!/\.(ts|js)$/.test(file) || file.endsWith('.d.ts')) continue;
      migrations[file.replace(/\.(ts|js)$/, '')] = (await import(pathToFileURL(path.join(migrationsFolder, file)).href)) as Migration;
    }
    return migrations;
  },
};

/** Creates the host schema if needed and applies every pending host migration. */
export async function migrateHostDatabase(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists ${sql.id(hostSchema)}`.execute(db);
  const migrator = new Migrator({ db: db.withSchema(hostSchema), provider: folderProvider, migrationTableSchema: hostSchema });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migrating the host schema failed at ${failed}: ${reason}`);
  }
}
