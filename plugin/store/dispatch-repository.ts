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
 * Claims up to `limit` of the run's next pending tests for delivery (`pending` → `dispatched`), in order, and
 * reads their webhook bodies in the same statement. SKIP LOCKED lets several deliveries claim at once without
 * waiting on each other or claiming the same test. Fewer than `limit` means no more are pending now.
 */
export async function claimNextDeliveries(db: Db, runId: string, limit: number): Promise<ClaimedDelivery[]> {
  const rows = await db
    // Picked once, in a materialized CTE: as `tests.id in (subquery)` Postgres may run the subquery again for
    // each row it joins, and with SKIP LOCKED every run picks other tests, so more than `limit` were claimed.
    .with(
      (cte) => cte('picked').materialized(),
      (qb) => qb.selectFrom('tests').select('id').where('run_id', '=', runId).where('status', '=', 'pending').orderBy('position').limit(limit).forUpdate().skipLocked(),
    )
    .updateTable('tests')
    .from(['picked', 'runs', 'experiments', 'experiment_tasks'])
    .set({ status: 'dispatched' })
    .whereRef('tests.id', '=', 'picked.id')
    .where('tests.status', '=', 'pending')
    .whereRef('runs.id', '=', 'tests.run_id')
    .whereRef('experiments.id', '=', 'runs.experiment_id')
    .whereRef('experiment_tasks.experiment_id', '=', 'runs.experiment_id')
    .whereRef('experiment_tasks.task_id', '=', 'tests.task_id')
    .returning([
      'tests.id', 'tests.test_id', 'tests.position', 'tests.repeat', 'tests.task_id', 'runs.variant_id', 'runs.config',
      'experiments.id as experiment_id', 'experiments.project_id', 'experiment_tasks.snapshot',
    ])
    .execute();
  return rows
    .sort((a, b) => a.position - b.position)
    .map((row) => ({ testRowId: row.id, testId: row.test_id, projectId: row.project_id, body: webhookBody(runId, row) }));
}

/** The body of a test's webhook, from its task's snapshot and its run's configuration: one definition for sending and showing. */
function webhookBody(
  runId: string,
  row: { test_id: string; task_id: string; repeat: number; variant_id: string; experiment_id: string; config: unknown; snapshot: unknown },
): ClaimedDelivery['body'] {
  const task = (row.snapshot ?? { id: row.task_id, title: row.task_id, prompt: '' }) as TaskSnapshot;
  return {
    testId: row.test_id,
    prompt: task.prompt,
    metadata: task.metadata ?? {},
    task: { id: task.id, title: task.title },
    experiment: { id: row.experiment_id, variantId: row.variant_id, runId, repeat: row.repeat, overrides: row.config },
  };
}

/** The webhook bodies of some tests of a run as they were sent (their current attempt's test id), by position. */
export async function webhookBodiesAt(db: Db, runId: string, positions: readonly number[]): Promise<Map<number, ClaimedDelivery['body']>> {
  if (positions.length === 0) return new Map();
  const rows = await db
    .selectFrom('tests')
    .innerJoin('runs', 'runs.id', 'tests.run_id')
    .innerJoin('experiment_tasks', (join) => join.onRef('experiment_tasks.experiment_id', '=', 'runs.experiment_id').onRef('experiment_tasks.task_id', '=', 'tests.task_id'))
    .select(['tests.position', 'tests.test_id', 'tests.repeat', 'tests.task_id', 'runs.variant_id', 'runs.config', 'runs.experiment_id', 'experiment_tasks.snapshot'])
    .where('tests.run_id', '=', runId)
    .where('tests.position', 'in', [...positions])
    .execute();
  return new Map(rows.map((row) => [row.position, webhookBody(runId, row)]));
}
