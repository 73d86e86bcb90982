import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import postgres, { type Sql } from 'postgres';

/** The Postgres schema of the Phoenix shell's own tables (the plugin keeps its own, Phoenix its own database). */
export const shellSchema = 'phoenix_shell';

export type ShellSql = Sql;

/** A shell migration: plain SQL through postgres.js, run once, in order of file name. */
export interface ShellMigration {
  up(sql: ShellSql): Promise<void>;
}

const migrationsFolder = path.join(import.meta.dirname, 'migrations');

/** Opens a pool whose queries run in the shell's schema. */
export function connectShellDatabase(url: string, options: { maxConnections?: number } = {}): ShellSql {
  return postgres(url, { max: options.maxConnections ?? 5, onnotice: () => {}, connection: { search_path: shellSchema } });
}

/**
 * Creates the shell's schema and applies the migrations not applied yet, each in a transaction, under an advisory
 * lock so two shells starting together do not race.
 */
export async function migrateShellDatabase(sql: ShellSql): Promise<void> {
  const files = (await readdir(migrationsFolder)).filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts')).sort();
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${shellSchema}))`;
    await tx`create schema if not exists ${tx(shellSchema)}`;
    await tx`create table if not exists ${tx(shellSchema)}.migrations (name text primary key, applied_at timestamptz not null default now())`;
    const applied = new Set((await tx<{ name: string }[]>`select name from ${tx(shellSchema)}.migrations`).map((row) => row.name));
    for (const file of files) {
      const name = file.replace(/\.(ts|js)$/, '');
      if (applied.has(name)) continue;
      const migration = (await import(pathToFileURL(path.join(migrationsFolder, file)).href)) as ShellMigration;
      await migration.up(tx as unknown as ShellSql);
      await tx`insert into ${tx(shellSchema)}.migrations (name) values (${name})`;
    }
  });
}
