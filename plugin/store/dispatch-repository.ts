import type { Db } from './connect.js';

export interface TaskSnapshot {
  id: string;
  title: string;
  prompt: string;
  metadata?: Record<string, unknown>;
  expected?: string;
  evaluations?: Array<Record<string, unknown>>;
}

/** A test claimed for delivery, with everything its webhook carries (DESIGN §6). */
export interface ClaimedDelivery {
  testRowId: string;
  testId: string;
  projectId: string;
  body: {
    testId: string;
    prompt: string;
    metadata: Record<string, unknown>;
    task: { id: string; title: string };
    experiment: { id: string; variantId: string; runId: string; repeat: number; overrides: unknown };
  };
}

/**
 * Claims the run's next pending test for delivery (`pending` → `dispatched`) and reads its webhook
 * body in the same statement. SKIP LOCKED lets several delivery lanes claim at once without waiting
 * on each other or claiming the same test.
 */
export async function claimNextDelivery(db: Db, runId: string): Promise<ClaimedDelivery | null> {
  const row = await db
    .updateTable('tests')
    .from(['runs', 'experiments', 'experiment_tasks'])
    .set({ status: 'dispatched' })
    .where('tests.id', '=', (eb) =>
      eb.selectFrom('tests').select('id').where('run_id', '=', runId).where('status', '=', 'pending').orderBy('position').limit(1).forUpdate().skipLocked(),
    )
    .where('tests.status', '=', 'pending')
    .whereRef('runs.id', '=', 'tests.run_id')
    .whereRef('experiments.id', '=', 'runs.experiment_id')
    .whereRef('experiment_tasks.experiment_id', '=', 'runs.experiment_id')
    .whereRef('experiment_tasks.task_id', '=', 'tests.task_id')
    .returning([
      'tests.id', 'tests.test_id', 'tests.repeat', 'tests.task_id', 'runs.variant_id', 'runs.config', 'experiments.id as experiment_id',
      'experiments.project_id', 'experiment_tasks.snapshot',
    ])
    .executeTakeFirst();
  if (!row) return null;
  const task = (row.snapshot ?? { id: row.task_id, title: row.task_id, prompt: '' }) as unknown as TaskSnapshot;
  return {
    testRowId: row.id,
    testId: row.test_id,
    projectId: row.project_id,
    body: {
      testId: row.test_id,
      prompt: task.prompt,
      metadata: task.metadata ?? {},
      task: { id: task.id, title: task.title },
      experiment: { id: row.experiment_id, variantId: row.variant_id, runId, repeat: row.repeat, overrides: row.config },
    },
  };
}
