import type { Db } from './connect.js';

/** What evaluating a test needs from its row, its run, its experiment and its task's snapshot. */
export interface EvaluationSubject {
  id: string;
  status: string;
  attempt: number;
  trace_id: string | null;
  config: unknown;
  project_id: string;
  default_evaluations: unknown;
  snapshot: unknown;
  /** The project's own model prices (null when it set none), added to the shipped and the host's. */
  model_prices: unknown;
}

/**
 * The one read of evaluation subjects: tests with what evaluating them needs. Callers narrow it to the tests they
 * mean (by run, or by project while linking a trace) and may select more.
 */
export function selectEvaluationSubjects(db: Db) {
  return db
    .selectFrom('tests')
    .innerJoin('runs', 'runs.id', 'tests.run_id')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .leftJoin('experiment_tasks', (join) =>
      join.onRef('experiment_tasks.experiment_id', '=', 'runs.experiment_id').onRef('experiment_tasks.task_id', '=', 'tests.task_id'),
    )
    .leftJoin('project_settings', 'project_settings.project_id', 'experiments.project_id')
    .select([
      'tests.id', 'tests.status', 'tests.attempt', 'tests.trace_id', 'runs.config', 'experiments.project_id',
      'experiments.default_evaluations', 'experiment_tasks.snapshot', 'project_settings.model_prices',
    ]);
}

/** The evaluation subject of one test of a run. */
export function findEvaluationSubject(db: Db, runId: string, testId: string): Promise<EvaluationSubject | undefined> {
  return selectEvaluationSubjects(db).where('tests.test_id', '=', testId).where('tests.run_id', '=', runId).executeTakeFirst();
}
