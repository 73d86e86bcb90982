import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely';
import type { Sql, TransactionSql } from 'postgres';

/**
 * A Kysely driver over a postgres.js pool that never reserves a connection: a query outside a transaction
 * runs on the pool (`sql.unsafe`), and a transaction runs inside `sql.begin()`, which holds one connection
 * for exactly its duration. postgres.js 3.4.9's `reserve()` (what kysely-postgres-js calls for every query)
 * loses connections and writes on dead sockets when Postgres restarts (porsager/postgres #1195, #1208).
 *
 * Consequence: outside a transaction, `db.connection()` is not pinned to one Postgres session; two of its
 * queries may run on different connections. Session state belongs in a transaction (`set local`,
 * `pg_advisory_xact_lock`); the migrations' lock is taken that way (see postgres-js-adapter.ts).
 */
export class PostgresJsDriver implements Driver {
  constructor(private readonly sql: Sql) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PostgresJsConnection(this.sql);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const mode = [settings.isolationLevel && `isolation level ${settings.isolationLevel}`, settings.accessMode].filter(Boolean).join(' ');
    await (connection as PostgresJsConnection).begin(mode);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PostgresJsConnection).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PostgresJsConnection).end('rollback');
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    await this.sql.end();
  }
}

/** Rejects the `sql.begin()` callback so that postgres.js rolls the transaction back. */
const rollbackRequested = Symbol('rollback requested');

interface OpenTransaction {
  sql: TransactionSql;
  /** Settles the `sql.begin()` callback: resolving commits, rejecting rolls back. */
  finish: { commit(): void; rollback(): void };
  /** How `sql.begin()` ended; never rejects, so an early end (the connection closed) is not unhandled. */
  outcome: Promise<{ error: unknown } | null>;
}

/** Queries on the pool, or, between begin and end, on the transaction's connection. */
class PostgresJsConnection implements DatabaseConnection {
  #transaction: OpenTransaction | null = null;

  constructor(private readonly pool: Sql) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Prepared (unsafe() defaults to unnamed statements): Postgres then plans each statement once per
    // connection instead of on every call. Planning the joins of the hot statements (claim, link, result
    // write) took more Postgres CPU than running them; preparing cut Postgres CPU per test by about a third
    // in the overhead benchmark. Parameterless statements (migrations' DDL) still go as simple queries.
    const result = await (this.#transaction?.sql ?? this.pool).unsafe(query.sql, [...query.parameters] as never[], { prepare: true });
    const { command, count } = result;
    return {
      numAffectedRows:
        command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(count) : undefined,
      rows: Array.from(result) as R[],
    };
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new Error('chunkSize must be a positive integer');
    const cursor = (this.#transaction?.sql ?? this.pool).unsafe(query.sql, [...query.parameters] as never[]).cursor(chunkSize);
    for await (const rows of cursor) yield { rows: rows as R[] };
  }

  /** Opens `sql.begin()` and keeps its callback pending until `end`. */
  async begin(mode: string): Promise<void> {
    if (this.#transaction) throw new Error('a transaction is already open on this connection');
    let opened!: (sql: TransactionSql) => void;
    const transactionSql = new Promise<TransactionSql>((resolve) => (opened = resolve));
    let finish!: OpenTransaction['finish'];
    const finished = new Promise<void>((resolve, reject) => (finish = { commit: resolve, rollback: () => reject(rollbackRequested) }));
    const outcome = this.pool
      .begin(mode, (sql) => {
        opened(sql);
        return finished;
      })
      .then(
        () => null,
        (error: unknown) => ({ error }),
      );
    // `begin` itself failed (e.g. no connection to be had): the callback never ran.
    const sql = await Promise.race([
      transactionSql,
      outcome.then((ended) => Promise.reject(ended?.error ?? new Error('transaction ended before it began'))),
    ]);
    this.#transaction = { sql, finish, outcome };
  }

  /**
   * Commits or rolls back, and reports how the transaction ended. A commit that failed, or a transaction
   * that had already ended because its connection closed, throws; a rollback never does, since the
   * transaction is over either way and the caller is already propagating the error that caused it.
   */
  async end(how: 'commit' | 'rollback'): Promise<void> {
    const transaction = this.#transaction;
    if (!transaction) {
      if (how === 'commit') throw new Error('no transaction is open on this connection');
      return;
    }
    this.#transaction = null;
    transaction.finish[how]();
    const ended = await transaction.outcome;
    if (how === 'commit' && ended) throw ended.error;
  }
}
