import { sql } from 'kysely';
import { openRunStatuses, traceWaitingTestStatuses } from '../domain/experiment-status.js';
import type { Db } from './connect.js';

/** A test of an open run still waiting for its trace, and since when. */
export interface OverdueTest {
  testId: string;
  dispatchedAt: Date;
}

/**
 * The project's tests of open runs whose webhook went out at least `olderThanMs` ago and that have no trace linked
 * yet, newest first, at most `limit`: the tests whose trace span reading may have missed.
 */
export async function findTestsOverdueForTrace(db: Db, projectId: string, options: { olderThanMs: number; limit: number }): Promise<OverdueTest[]> {
  const rows = await db
    .selectFrom('tests')
    .innerJoin('runs', 'runs.id', 'tests.run_id')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .select(['tests.test_id', 'tests.dispatched_at'])
    .where('experiments.project_id', '=', projectId)
    .where('runs.status', 'in', [...openRunStatuses])
    .where('tests.status', 'in', [...traceWaitingTestStatuses])
    .where('tests.trace_id', 'is', null)
    .where('tests.dispatched_at', '<', sql<Date>`now() - make_interval(secs => ${options.olderThanMs / 1000})`)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('trace_links').select('trace_links.test_id').whereRef('trace_links.test_id', '=', 'tests.test_id').where('trace_links.kind', '=', 'linked'))),
    )
    .orderBy('tests.dispatched_at', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({ testId: row.test_id, dispatchedAt: row.dispatched_at! }));
}
