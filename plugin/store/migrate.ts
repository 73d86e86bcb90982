import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Loads `migrations/*.ts` with our own import(), so the TypeScript loader in use (tsx, vitest) applies. */
const folderProvider: MigrationProvider = {
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const file of (await readdir(migrationsFolder)).sort()) {
      if (!/\.(ts|js)$/.test(file) || file.endsWith('.d.ts')) continue;
      const module = (await import(pathToFileURL(path.join(migrationsFolder, file)).href)) as Migration;
      migrations[file.replace(/\.(ts|js)$/, '')] = module;
    }
    return migrations;
  },
};

function migrator(db: Kysely<any>, schema: string) {
  return new Migrator({
    db: db.withSchema(schema),
    provider: folderProvider,
    migrationTableSchema: schema,
  });
}

function check(result: MigrationResultSet, direction: string) {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migrating ${direction} failed at ${failed}: ${(result.error as Error).message ?? result.error}`);
  }
  return result.results ?? [];
}

/** Creates the plugin's schema if needed and applies every pending migration. */
export async function migrateToLatest(db: Kysely<any>, schema: string) {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  return check(await migrator(db, schema).migrateToLatest(), 'up');
}

/** Rolls back one migration (tests and operators only). */
export async function migrateDown(db: Kysely<any>, schema: string) {
  return check(await migrator(db, schema).migrateDown(), 'down');
}
