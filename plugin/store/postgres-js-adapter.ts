import { PostgresAdapter, type Kysely, type MigrationLockOptions } from 'kysely';
import type { Sql } from 'postgres';

/** Kysely's own key for the migrations' advisory lock, so a migrator using Kysely's adapter excludes us too. */
const migrationLockId = '3853314791062309107';

/**
 * Kysely's Postgres adapter, but with a migration lock that holds on a pool. Kysely takes a session-level
 * advisory lock on `db.connection()` and releases it there after the migrations' transaction; with
 * PostgresJsDriver those are separate pool connections, so the unlock would miss and the lock would stay with
 * whichever connection took it. Instead the lock is transaction-level, held by a transaction of its own that
 * stays open until the migrations are done. (A pool of one connection is one session: Kysely's lock works there,
 * and a second transaction could never open.)
 */
export class PostgresJsAdapter extends PostgresAdapter {
  readonly #holders = new Map<Kysely<any>, { release(): void; ended: Promise<unknown> }>();

  constructor(private readonly sql: Sql) {
    super();
  }

  override async acquireMigrationLock(db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    if (this.sql.options.max === 1) return super.acquireMigrationLock(db, options);
    let locked!: () => void;
    const acquired = new Promise<void>((resolve) => (locked = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const ended = this.sql.begin(async (tx) => {
      await tx.unsafe(`set local lock_timeout = '1h'`);
      await tx.unsafe(`select pg_advisory_xact_lock(${migrationLockId})`);
      locked();
      await released;
    });
    await Promise.race([acquired, ended]);
    this.#holders.set(db, { release, ended: ended.catch(() => {}) });
  }

  override async releaseMigrationLock(db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    if (this.sql.options.max === 1) return super.releaseMigrationLock(db, options);
    const holder = this.#holders.get(db);
    this.#holders.delete(db);
    holder?.release();
    await holder?.ended;
  }
}
