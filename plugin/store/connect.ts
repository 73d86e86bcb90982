import { Kysely } from 'kysely';
import postgres from 'postgres';
import type { Database } from './database.js';
import { PostgresJsDialect } from './postgres-js-dialect.js';

export type Db = Kysely<Database>;

/** Opens a pooled connection whose queries run in the plugin's own schema. */
export function connectDatabase(options: { url: string; schema: string; maxConnections?: number }): Db {
  const client = postgres(options.url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    // The schema is the connection's search_path rather than Kysely's withSchema plugin, which rewrote
    // every query's tree and showed as a large share of the worker's CPU time in profiles.
    connection: { search_path: options.schema },
  });
  return new Kysely<Database>({ dialect: new PostgresJsDialect(client) });
}
