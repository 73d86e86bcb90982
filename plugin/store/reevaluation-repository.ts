import { sql } from 'kysely';
import { reevaluableTestStatuses } from '../domain/experiment-status.js';
import type { Db } from './connect.js';

/** The next evaluation round of a run: one more than any stored. */
export async function nextEvaluationRound(db: Db, runId: string): Promise<number> {
  const row = await db
    .selectFrom('evaluation_results')
    .innerJoin('tests', 'tests.id', 'evaluation_results.test_row_id')
    .select((eb) => eb.fn.max('evaluation_results.round').as('round'))
    .where('tests.run_id', '=', runId)
    .executeTakeFirst();
  return Number(row?.round ?? 1) + 1;
}

/** A page of a run's tests that have a stored trace and no result yet in `round`, in run order. */
export async function testsToReevaluate(db: Db, runId: string, round: number, afterPosition: number, limit: number) {
  const rows = await db
    .selectFrom('tests')
    .select(['test_id', 'trace_id', 'position'])
    .where('run_id', '=', runId)
    .where('trace_id', 'is not', null)
    .where('status', 'in', [...reevaluableTestStatuses])
    .where('position', '>', afterPosition)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('evaluation_results')
            .select(sql`1`.as('one'))
            .whereRef('evaluation_results.test_row_id', '=', 'tests.id')
            .whereRef('evaluation_results.attempt', '=', 'tests.attempt')
            .where('evaluation_results.round', '=', round),
        ),
      ),
    )
    .orderBy('position')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ testId: row.test_id, traceId: row.trace_id as string, position: row.position }));
}
