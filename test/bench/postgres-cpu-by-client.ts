import { sql, type Kysely } from 'kysely';
import { processStat } from './process-cpu.js';

export type PostgresCpuSnapshot = Map<number, { client: string; seconds: number }>;

/**
 * CPU time so far of each Postgres server process, named by its client's application_name (the plugin,
 * its worker and the reference host set their own) or, for Postgres's own processes, by its backend type.
 * Read against pg_stat_activity, so it sees only processes alive at that moment.
 */
export async function postgresCpuSnapshot(db: Kysely<any>): Promise<PostgresCpuSnapshot> {
  const rows = await sql<{ pid: number; client: string }>`
    select pid, coalesce(nullif(application_name, ''), backend_type) as client from pg_stat_activity`.execute(db);
  const snapshot: PostgresCpuSnapshot = new Map();
  for (const { pid, client } of rows.rows) {
    // Null when it ended between the query and the read, or runs on another machine: nothing to count.
    const stat = processStat(pid);
    if (stat) snapshot.set(pid, { client, seconds: stat.cpuSeconds });
  }
  return snapshot;
}

/**
 * Milliseconds of Postgres CPU per test for each client between two snapshots. A process that started
 * between them counts whole; one that ended between them is missing (short-lived connections undercount).
 */
export function postgresCpuMsPerTestByClient(before: PostgresCpuSnapshot, after: PostgresCpuSnapshot, tests: number): Record<string, number> {
  const byClient: Record<string, number> = {};
  for (const [pid, { client, seconds }] of after) {
    const used = seconds - (before.get(pid)?.seconds ?? 0);
    byClient[client] = (byClient[client] ?? 0) + used;
  }
  return Object.fromEntries(
    Object.entries(byClient)
      .filter(([, seconds]) => seconds > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([client, seconds]) => [client, Math.round((seconds * 1e6) / tests) / 1000]),
  );
}
