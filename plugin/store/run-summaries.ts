import { isFinalRunStatus, type RunStatus } from '../domain/experiment-status.js';
import { jsonb } from './jsonb.js';
import type { Db } from './connect.js';
import {
  emptyFigures,
  pairCounts,
  runFigures,
  stepFigures,
  taskFigures,
  type PairCounts,
  type ResultRun,
  type RunFigures,
  type StepFigures,
  type TaskFigures,
} from './results-queries.js';

/** Everything the results show of one run. */
export interface RunSummary {
  figures: RunFigures;
  tasks: TaskFigures | null;
  steps: StepFigures[];
}

type VersionedRun = Pick<ResultRun, 'id' | 'status' | 'finishedAt' | 'resultsVersion'>;

const isFinished = (run: VersionedRun) => isFinalRunStatus(run.status as RunStatus);

/** Identifies a finished run's results: a retry, a re-evaluation or a new finish changes it. */
export const summaryVersion = (run: VersionedRun) => `${run.status}|${run.finishedAt?.toISOString() ?? ''}|${run.resultsVersion}`;

/**
 * The runs' summaries: finished runs from the kept copy when it is current (computed and kept once
 * otherwise), running ones computed live. Each computation is a grouped scan of one run's tests.
 */
export async function runSummaries(db: Db, runs: readonly VersionedRun[]): Promise<Map<string, RunSummary>> {
  const summaries = new Map<string, RunSummary>();
  const finished = runs.filter(isFinished);
  if (finished.length > 0) {
    const kept = await db.selectFrom('run_summaries').select(['run_id', 'version', 'summary']).where('run_id', 'in', finished.map((r) => r.id)).execute();
    const versions = new Map(finished.map((run) => [run.id, summaryVersion(run)]));
    for (const row of kept) if (versions.get(row.run_id) === row.version) summaries.set(row.run_id, row.summary as RunSummary);
  }
  const missing = runs.filter((run) => !summaries.has(run.id));
  if (missing.length === 0) return summaries;
  const ids = missing.map((run) => run.id);
  const [figures, tasks, steps] = await Promise.all([runFigures(db, ids), taskFigures(db, ids), stepFigures(db, ids)]);
  for (const run of missing) {
    const summary: RunSummary = { figures: figures.get(run.id) ?? emptyFigures, tasks: tasks.get(run.id) ?? null, steps: steps.get(run.id) ?? [] };
    summaries.set(run.id, summary);
    if (isFinished(run)) {
      await db
        .insertInto('run_summaries')
        .values({ run_id: run.id, version: summaryVersion(run), summary: jsonb(summary) })
        .onConflict((oc) => oc.column('run_id').doUpdateSet((eb) => ({ version: eb.ref('excluded.version'), summary: eb.ref('excluded.summary') })))
        .execute();
    }
  }
  return summaries;
}

/** Pair counts of finished runs against the baseline's run, kept per (run, baseline run) like the summaries. */
export async function pairSummaries(db: Db, baseline: VersionedRun, runs: readonly VersionedRun[]): Promise<Map<string, PairCounts>> {
  const counts = new Map<string, PairCounts>();
  if (runs.length === 0) return counts;
  const baselineKey = `${baseline.id}|${summaryVersion(baseline)}`;
  const kept = await db
    .selectFrom('run_pair_counts')
    .select(['run_id', 'version', 'pairs'])
    .where('baseline_key', '=', baselineKey)
    .where('run_id', 'in', runs.map((r) => r.id))
    .execute();
  const versions = new Map(runs.map((run) => [run.id, summaryVersion(run)]));
  for (const row of kept) if (versions.get(row.run_id) === row.version) counts.set(row.run_id, row.pairs);
  const missing = runs.filter((run) => !counts.has(run.id));
  if (missing.length === 0) return counts;
  const computed = await pairCounts(db, baseline.id, missing.map((run) => run.id));
  for (const run of missing) {
    const pairs = computed.get(run.id) ?? { pairs: 0, regressions: 0, improvements: 0 };
    counts.set(run.id, pairs);
    if (isFinished(run) && isFinished(baseline)) {
      await db
        .insertInto('run_pair_counts')
        .values({ run_id: run.id, baseline_key: baselineKey, version: summaryVersion(run), pairs: jsonb(pairs) })
        .onConflict((oc) => oc.columns(['run_id', 'baseline_key']).doUpdateSet((eb) => ({ version: eb.ref('excluded.version'), pairs: eb.ref('excluded.pairs') })))
        .execute();
    }
  }
  return counts;
}
