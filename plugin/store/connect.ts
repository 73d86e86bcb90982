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
    // The application name tells a DBA's pg_stat_activity (and the bench's CPU split) whose connection it is;
    // a database URL's own application_name overrides it.
    connection: { search_path: options.schema, application_name: 'experiments' },
  });
  return new Kysely<Database>({ dialect: new PostgresJsDialect(client) });
}
