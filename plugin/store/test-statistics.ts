import { sql } from 'kysely';
import type { Db } from './connect.js';

/**
 * Gathers Postgres's statistics of the tests table now when a new run's tests would have made autovacuum gather them
 * (50 rows and a tenth of the table changed), rather than within its next minute. Until then Postgres plans a new,
 * large run's statements by the table as it was: the delivery's write of a test's outcome read the whole table to
 * find one row (at 1,000 tests, about a third of that statement's time) while the stored statistics said the table
 * was nearly empty. Postgres's own advice after a bulk load. A role that does not own the table gets a warning from
 * Postgres and no statistics, and a failure here is only logged: the run has started, and autovacuum comes later.
 */
export async function refreshTestStatistics(db: Db, newTests: number, log: (message: string) => void = (message) => console.warn(message)) {
  try {
    const { rows } = await sql<{ reltuples: number }>`select reltuples from pg_class where oid = 'tests'::regclass`.execute(db);
    const known = Math.max(0, rows[0]?.reltuples ?? 0);
    if (newTests < 50 + known / 10) return;
    await sql`analyze tests`.execute(db);
  } catch (error) {
    log(`experiments: could not gather the tests table's statistics after creating a run: ${(error as Error).message}`);
  }
}
