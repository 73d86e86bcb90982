import { isFinalRunStatus, type RunStatus } from '../domain/experiment-status.js';
import { jsonb } from './jsonb.js';
import type { Db } from './connect.js';
import type { TaskTally } from '../domain/task-outcomes.js';
import { emptyFigures, runFigures, stepFigures, taskTallies, type ResultRun, type RunFigures, type StepFigures } from './results-queries.js';

/** Everything the results are computed from for one run: its counts, its per-task tallies, its per-step figures. */
export interface RunSummary {
  figures: RunFigures;
  tallies: TaskTally[];
  steps: StepFigures[];
}

type VersionedRun = Pick<ResultRun, 'id' | 'status' | 'finishedAt' | 'resultsVersion'>;

const isFinished = (run: VersionedRun) => isFinalRunStatus(run.status as RunStatus);

/** Identifies a finished run's results: a retry, a re-evaluation or a new finish changes it. */
// `tallies` is the summary's shape since the task became the unit of analysis, `cost-notes` since the figures say
// which costs are unknown (issue 15); older kept copies are recomputed.
export const summaryVersion = (run: VersionedRun) => `tallies|cost-notes|${run.status}|${run.finishedAt?.toISOString() ?? ''}|${run.resultsVersion}`;

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
  const [figures, tallies, steps] = await Promise.all([runFigures(db, ids), taskTallies(db, ids), stepFigures(db, ids)]);
  for (const run of missing) {
    const summary: RunSummary = { figures: figures.get(run.id) ?? emptyFigures, tallies: tallies.get(run.id) ?? [], steps: steps.get(run.id) ?? [] };
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
