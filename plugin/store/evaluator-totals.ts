import { sql } from 'kysely';
import type { Db } from './connect.js';

/** One evaluator's verdicts over a run's tests, from each test's latest evaluation round of its current attempt. */
export interface EvaluatorTotal {
  runId: string;
  evaluator: string;
  passed: number;
  failed: number;
  /** Any other outcome (skipped, errored). */
  other: number;
}

/** Per run and evaluator: how many of the run's tests the evaluator passed and failed. */
export async function evaluatorTotals(db: Db, runIds: readonly string[]): Promise<EvaluatorTotal[]> {
  if (runIds.length === 0) return [];
  const rows = await db
    .selectFrom('tests as t')
    .innerJoin('evaluation_results as er', (join) => join.onRef('er.test_row_id', '=', 't.id').onRef('er.attempt', '=', 't.attempt'))
    .where('t.run_id', 'in', [...runIds])
    .where('er.round', '=', (inner) =>
      inner
        .selectFrom('evaluation_results as latest')
        .select((agg) => agg.fn.max('latest.round').as('round'))
        .whereRef('latest.test_row_id', '=', 'er.test_row_id')
        .whereRef('latest.attempt', '=', 'er.attempt'),
    )
    .select([
      't.run_id',
      'er.evaluator',
      sql<string>`count(*) filter (where er.outcome = 'passed')`.as('passed'),
      sql<string>`count(*) filter (where er.outcome = 'failed')`.as('failed'),
      sql<string>`count(*) filter (where er.outcome not in ('passed', 'failed'))`.as('other'),
    ])
    .groupBy(['t.run_id', 'er.evaluator'])
    .orderBy('er.evaluator')
    .execute();
  return rows.map((row) => ({ runId: row.run_id, evaluator: row.evaluator, passed: Number(row.passed), failed: Number(row.failed), other: Number(row.other) }));
}
