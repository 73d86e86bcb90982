import { PostgresIntrospector, PostgresQueryCompiler, type Dialect, type Kysely } from 'kysely';
import type { Sql } from 'postgres';
import { PostgresJsAdapter } from './postgres-js-adapter.js';
import { PostgresJsDriver } from './postgres-js-driver.js';

/** Kysely's Postgres dialect over a postgres.js pool, without `reserve()` (see PostgresJsDriver). */
export class PostgresJsDialect implements Dialect {
  constructor(private readonly sql: Sql) {}

  createAdapter() {
    return new PostgresJsAdapter(this.sql);
  }

  createDriver() {
    return new PostgresJsDriver(this.sql);
  }

  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
