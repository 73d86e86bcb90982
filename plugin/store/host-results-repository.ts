import { sql } from 'kysely';
import { finalTestStatuses } from '../domain/experiment-status.js';
import type { HostRunResults } from '../host.js';
import type { Db } from './connect.js';

/** A finished run whose results the host has not got yet (or not as they are now, after a re-evaluation). */
export interface RunToWrite {
  runId: string;
  projectId: string;
  resultsVersion: number;
}

/** Completed runs over a pinned task source whose current results were not written to the host, oldest first. */
export async function runsToWrite(db: Db, limit: number): Promise<RunToWrite[]> {
  const rows = await db
    .selectFrom('runs')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .select(['runs.id', 'experiments.project_id', 'runs.results_version'])
    .where('runs.status', '=', 'completed')
    .where('experiments.task_source_version', 'is not', null)
    .where(sql<boolean>`runs.host_results_version is distinct from runs.results_version`)
    .orderBy('runs.finished_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ runId: row.id, projectId: row.project_id, resultsVersion: row.results_version }));
}

/** What a host that keeps results needs of one run: its experiment, variant, pinned source and final tests. */
export async function readRunResults(db: Db, runId: string): Promise<HostRunResults | null> {
  const run = await db
    .selectFrom('runs')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .innerJoin('variants', 'variants.id', 'runs.variant_id')
    .select([
      'runs.id',
      'runs.config',
      'runs.created_at',
      'runs.started_at',
      'runs.finished_at',
      'runs.number',
      'experiments.id as experiment_id',
      'experiments.name as experiment_name',
      'experiments.description',
      'experiments.task_source',
      'experiments.task_source_version',
      'variants.id as variant_id',
      'variants.name as variant_name',
      'variants.is_baseline',
    ])
    .where('runs.id', '=', runId)
    .executeTakeFirst();
  if (!run?.task_source || !run.task_source_version) return null;
  const tests = await db
    .selectFrom('tests')
    .select(['id', 'task_id', 'repeat', 'attempt', 'status', 'output', 'trace_id', 'dispatched_at', 'finished_at', 'error'])
    .where('run_id', '=', runId)
    .where('status', 'in', [...finalTestStatuses])
    .orderBy('position')
    .execute();
  const evaluations = await db
    .selectFrom('evaluation_results as er')
    .innerJoin('tests', (join) => join.onRef('tests.id', '=', 'er.test_row_id').onRef('tests.attempt', '=', 'er.attempt'))
    .select(['er.test_row_id', 'er.round', 'er.evaluator', 'er.outcome', 'er.score', 'er.reason', 'er.position'])
    .where('tests.run_id', '=', runId)
    .orderBy('er.position')
    .execute();
  // The latest evaluation round of each test is its result.
  const latestRound = new Map<string, number>();
  for (const row of evaluations) latestRound.set(row.test_row_id, Math.max(row.round, latestRound.get(row.test_row_id) ?? 0));
  const byTest = new Map<string, typeof evaluations>();
  for (const row of evaluations) {
    if (row.round !== latestRound.get(row.test_row_id)) continue;
    byTest.set(row.test_row_id, [...(byTest.get(row.test_row_id) ?? []), row]);
  }
  const startedAt = run.started_at ?? run.created_at;
  const completedAt = run.finished_at ?? startedAt;
  return {
    experiment: { id: run.experiment_id, name: run.experiment_name, ...(run.description ? { description: run.description } : {}) },
    variant: { id: run.variant_id, name: run.variant_name, isBaseline: run.is_baseline, config: run.config },
    run: { id: run.id, startedAt: startedAt.toISOString(), completedAt: completedAt.toISOString() },
    selection: {
      sourceId: run.task_source.sourceId,
      ...(run.task_source.splits?.length ? { splits: run.task_source.splits } : {}),
      version: run.task_source_version,
    },
    tests: tests.map((test) => ({
      taskId: test.task_id,
      repeat: test.repeat,
      status: test.status as HostRunResults['tests'][number]['status'],
      ...(test.output !== null ? { output: test.output } : {}),
      ...(test.trace_id ? { traceId: test.trace_id } : {}),
      startedAt: (test.dispatched_at ?? startedAt).toISOString(),
      endedAt: (test.finished_at ?? completedAt).toISOString(),
      ...(test.error ? { error: test.error } : {}),
      evaluations: (byTest.get(test.id) ?? []).map((row, index, all) => ({
        // A host keys evaluations by name: a second evaluation of the same kind gets its position in the name.
        name: all.filter((other) => other.evaluator === row.evaluator).length > 1 ? `${row.evaluator} ${index + 1}` : row.evaluator,
        passed: row.outcome === 'passed',
        ...(row.score !== null ? { score: row.score } : {}),
        ...(row.reason ? { reason: row.reason } : {}),
      })),
    })),
  };
}

export async function markRunWritten(db: Db, runId: string, written: { resultsVersion: number; url?: string }): Promise<void> {
  await db
    .updateTable('runs')
    .set({ host_results_version: written.resultsVersion, host_results_url: written.url ?? null, host_results_error: null })
    .where('id', '=', runId)
    .execute();
}

export async function markRunWriteFailed(db: Db, runId: string, error: string): Promise<void> {
  await db
    .updateTable('runs')
    .set({ host_results_error: error.slice(0, 1000) })
    .where('id', '=', runId)
    .execute();
}
