import type { Db } from './connect.js';

export interface TaskSnapshot {
  id: string;
  title: string;
  prompt: string;
  metadata?: Record<string, unknown>;
  expected?: string;
  evaluations?: Array<Record<string, unknown>>;
}

/** Everything needed to send one test's webhook (DESIGN §6), read in one query. */
export async function loadDispatch(db: Db, testRowId: string) {
  const row = await db
    .selectFrom('tests')
    .innerJoin('runs', 'runs.id', 'tests.run_id')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .innerJoin('experiment_tasks', (join) =>
      join.onRef('experiment_tasks.experiment_id', '=', 'runs.experiment_id').onRef('experiment_tasks.task_id', '=', 'tests.task_id'),
    )
    .select([
      'tests.test_id', 'tests.status', 'tests.repeat', 'tests.task_id', 'runs.id as run_id', 'runs.variant_id', 'runs.config',
      'experiments.id as experiment_id', 'experiments.project_id', 'experiment_tasks.snapshot',
    ])
    .where('tests.id', '=', testRowId)
    .executeTakeFirst();
  if (!row) return null;
  const task = (row.snapshot ?? { id: row.task_id, title: row.task_id, prompt: '' }) as unknown as TaskSnapshot;
  return {
    testId: row.test_id,
    status: row.status,
    projectId: row.project_id,
    body: {
      testId: row.test_id,
      prompt: task.prompt,
      metadata: task.metadata ?? {},
      task: { id: task.id, title: task.title },
      experiment: {
        id: row.experiment_id,
        variantId: row.variant_id,
        runId: row.run_id,
        repeat: row.repeat,
        overrides: row.config,
      },
    },
  };
}
