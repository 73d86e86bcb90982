import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import type { Database } from './database.js';

export type Db = Kysely<Database>;

/** Opens a pooled connection whose queries run in the plugin's own schema. */
export function connectDatabase(options: { url: string; schema: string; maxConnections?: number }): Db {
  const client = postgres(options.url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    // jsonb comes back parsed; numerics we store as double precision, so no precision surprises.
    types: {},
  });
  return new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) }).withSchema(options.schema);
}
