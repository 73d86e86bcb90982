import { readdirSync, readFileSync } from 'node:fs';

// /proc reports CPU time in clock ticks of USER_HZ, which is 100 on Linux.
const ticksPerSecond = 100;

export type CpuGroup = 'host and plugin' | 'worker' | 'demo app' | 'postgres' | 'temporal';

/**
 * CPU time used so far (user + system, seconds) by the processes a run involves, read from /proc: this
 * process (host and plugin), the worker, the demo app, Postgres and the Temporal server. Postgres and Temporal
 * count only the servers this process started, when it started them: another bench or test suite on the same
 * machine has servers of its own. With servers it did not start (BENCH_DATABASE_URL, TEMPORAL_ADDRESS), every
 * one on the machine counts, that other work too.
 */
export function cpuSnapshot(pids: { worker?: number; demo?: number }): Record<CpuGroup, number> {
  const totals: Record<CpuGroup, number> = { 'host and plugin': 0, worker: 0, 'demo app': 0, postgres: 0, temporal: 0 };
  const ours: Record<CpuGroup, number> = { ...totals };
  const parents = new Map<number, number>();
  const seen: Array<{ pid: number; group: CpuGroup; seconds: number }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = processStat(pid);
    if (!stat) continue; // the process ended while we looked
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // the process ended while we looked
    }
    const group: CpuGroup | null =
      pid === process.pid ? 'host and plugin'
      : pid === pids.worker ? 'worker'
      : pid === pids.demo ? 'demo app'
      : /(^|\/)postgres[: ]/.test(command) ? 'postgres'
      : /temporal server start-dev/.test(command) ? 'temporal'
      : null;
    parents.set(pid, stat.parent);
    if (group) seen.push({ pid, group, seconds: stat.cpuSeconds });
  }
  const startedHere = (pid: number) => {
    for (let at = parents.get(pid); at !== undefined && at > 1; at = parents.get(at)) if (at === process.pid) return true;
    return false;
  };
  for (const { pid, group, seconds } of seen) {
    totals[group] += seconds;
    if (startedHere(pid)) ours[group] += seconds;
  }
  for (const group of ['postgres', 'temporal'] as const) if (seen.some((p) => p.group === group && startedHere(p.pid))) totals[group] = ours[group];
  return totals;
}

/** A process's parent and the CPU time it has used so far (user + system, seconds); null once it has ended. */
export function processStat(pid: number): { parent: number; cpuSeconds: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name: the parent's pid is the 2nd; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond };
}

/** CPU seconds per group between two snapshots, rounded to 10 ms. */
export function cpuBetween(before: Record<CpuGroup, number>, after: Record<CpuGroup, number>): Record<CpuGroup, number> {
  const out = {} as Record<CpuGroup, number>;
  for (const key of Object.keys(before) as CpuGroup[]) out[key] = Math.round((after[key] - before[key]) * 100) / 100;
  return out;
}
