import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import type { ExperimentsHost, HostSpan, HostTrace } from '../host.js';
import type { Db } from '../store/connect.js';
import { findEvaluationSubject } from '../store/evaluation-subject.js';
import { jsonb } from '../store/jsonb.js';
import { createPluginDatabase } from '../../test/helpers/plugin-database.js';
import { evaluateArrivals } from './evaluate-tests.js';

// Arrivals evaluated together, as the evaluation queue hands them over: a real Postgres of their own, and hosts
// that are only the traces they are given, with and without a read of several traces at once.

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;
const config = parseConfig({ databaseUrl: 'postgres://unused' });
const stored = new Map<string, HostSpan[]>();
const reads = { get: 0, getMany: 0 };
const trace = (projectId: string, traceId: string): HostTrace | null =>
  stored.has(traceId) ? { traceId, projectId, spans: stored.get(traceId)! } : null;
const hostWithGet = {
  traces: { get: async (projectId: string, traceId: string) => (reads.get++, trace(projectId, traceId)), pageUrl: () => '' },
} as unknown as ExperimentsHost;
const hostWithGetMany = {
  traces: {
    ...hostWithGet.traces,
    getMany: async (projectId: string, traceIds: string[]) => (reads.getMany++, traceIds.map((id) => trace(projectId, id)).filter((t) => t !== null)),
  },
} as unknown as ExperimentsHost;

beforeAll(async () => {
  database = await createPluginDatabase('evaluate_arrivals');
  db = database.db;
});
afterAll(async () => {
  await database?.close();
});

/** A running baseline run of `count` evaluating tests, one per task, each with its trace linked; `judged` tasks ask an LLM judge. */
async function evaluatingRun(count: number, judged: number[] = []) {
  const experiment = await db.insertInto('experiments').values({ project_id: 'p', name: 'Arrivals', status: 'running_baseline' }).returning('id').executeTakeFirstOrThrow();
  const variant = await db.insertInto('variants').values({ experiment_id: experiment.id, name: 'Baseline', is_baseline: true, status: 'running' }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('experiment_tasks')
    .values(Array.from({ length: count }, (_, position) => ({
      experiment_id: experiment.id, task_id: `task-${position}`, position,
      snapshot: jsonb({
        id: `task-${position}`, title: 'Refunds', prompt: 'Can I get a refund?',
        evaluations: judged.includes(position) ? [{ type: 'llm_judge', criterion: 'Helpful.', threshold: 0.5 }] : [{ type: 'contains', value: 'refund' }],
      }),
    })))
    .execute();
  const run = await db
    .insertInto('runs')
    .values({
      experiment_id: experiment.id, variant_id: variant.id, number: 1, is_baseline: true, status: 'running', concurrency: 3, repeats: 1,
      trace_timeout_seconds: 60, config: JSON.stringify({}), total: count, workflow_id: `run-${experiment.id}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tests = Array.from({ length: count }, (_, position) => ({
    run_id: run.id, task_id: `task-${position}`, repeat: 0, position, status: 'evaluating', test_id: crypto.randomUUID(), trace_id: `trace-${run.id}-${position}`,
  }));
  await db.insertInto('tests').values(tests).execute();
  for (const [position, test] of tests.entries()) {
    stored.set(test.trace_id, [{
      traceId: test.trace_id, spanId: `${position}`, parentSpanId: null, name: 'answer', startTime: '2026-12-01T00:00:00.000Z',
      endTime: '2026-12-01T00:00:00.250Z', attributes: { 'output.value': position % 2 === 0 ? 'Your refund is on its way.' : 'Please call us.' },
    }]);
  }
  // As linking hands them to the queue: each with the test as linking left it.
  const arrivals = await Promise.all(tests.map(async (test) => ({ runId: run.id, testId: test.test_id, traceId: test.trace_id, subject: (await findEvaluationSubject(db, run.id, test.test_id))! })));
  return { runId: run.id, arrivals };
}

async function results(runId: string) {
  return db
    .selectFrom('tests')
    .select(['status', 'latency_ms', (eb) => eb.selectFrom('evaluation_results').select(eb.fn.countAll<number>().as('n')).whereRef('test_row_id', '=', 'tests.id').as('results')])
    .where('run_id', '=', runId)
    .orderBy('position')
    .execute();
}

describe('evaluateArrivals', () => {
  it('writes each result once, and says which write left its run without open tests', async () => {
    const { runId, arrivals } = await evaluatingRun(4);
    reads.get = reads.getMany = 0;
    // Three together: the fourth test is still open, so none of them settles the run.
    expect(await evaluateArrivals({ db, host: hostWithGetMany, config }, arrivals.slice(0, 3))).toEqual(Array(3).fill({ written: true, runSettled: false }));
    expect(reads).toEqual({ get: 0, getMany: 1 });
    expect((await evaluateArrivals({ db, host: hostWithGetMany, config }, arrivals.slice(3)))).toEqual([{ written: true, runSettled: true }]);
    expect((await results(runId)).map((r) => [r.status, r.latency_ms, Number(r.results)])).toEqual([
      ['passed', 250, 1], ['failed', 250, 1], ['passed', 250, 1], ['failed', 250, 1],
    ]);
    // Handed over again (the run's sweep got there first, or a retry): nothing is written twice.
    expect(await evaluateArrivals({ db, host: hostWithGetMany, config }, arrivals)).toEqual(Array(4).fill({ written: false, why: 'not_open' }));
    expect((await results(runId)).map((r) => Number(r.results))).toEqual([1, 1, 1, 1]);
  });

  it("settles a run whose last open tests are written together, and reads each trace with get when the host can't read several", async () => {
    const { runId, arrivals } = await evaluatingRun(3);
    reads.get = reads.getMany = 0;
    expect(await evaluateArrivals({ db, host: hostWithGet, config }, arrivals)).toEqual(Array(3).fill({ written: true, runSettled: true }));
    expect(reads).toEqual({ get: 3, getMany: 0 });
    expect((await results(runId)).map((r) => r.status)).toEqual(['passed', 'failed', 'passed']);
  });

  it('writes a test handed over twice in one batch once', async () => {
    const { runId, arrivals } = await evaluatingRun(1);
    expect(await evaluateArrivals({ db, host: hostWithGetMany, config }, [arrivals[0]!, arrivals[0]!])).toEqual([{ written: true, runSettled: true }, { written: false, why: 'not_open' }]);
    expect((await results(runId)).map((r) => [r.status, Number(r.results)])).toEqual([['passed', 1]]);
  });

  it("leaves tests that need an LLM judge to their run, and errors a test whose trace the host does not have", async () => {
    const { runId, arrivals } = await evaluatingRun(3, [1]);
    stored.delete(arrivals[2]!.traceId);
    const outcomes = await evaluateArrivals({ db, host: hostWithGetMany, config }, arrivals);
    expect(outcomes).toEqual([{ written: true, runSettled: false }, { written: false, why: 'needs_judge' }, { written: true, runSettled: false }]);
    const rows = await results(runId);
    expect(rows.map((r) => r.status)).toEqual(['passed', 'evaluating', 'errored']);
    const error = await db.selectFrom('tests').select('error').where('run_id', '=', runId).where('position', '=', 2).executeTakeFirstOrThrow();
    expect(error.error).toMatch(/could not be read from the host/);
  });
});
