import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ChildProcess } from 'node:child_process';
import { demoBaselineConfig } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { kill, startWorkerProcess } from '../helpers/worker-process.js';

let stack: RunStack;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startRunStack({ startWorker: false, demo: { latencyMs: 25 } });
});
afterAll(async () => {
  if (worker) await kill(worker);
  await stack?.close();
});

async function finishedTests(runId: string) {
  const row = await sql<{ n: number }>`
    select count(*)::int as n from experiments.tests where run_id = ${runId} and status in ('passed', 'failed', 'errored', 'timed_out')`.execute(stack.host.db);
  return row.rows[0]!.n;
}

describe('a worker killed mid-run', () => {
  it('is restarted and the run completes with every test counted once', async () => {
    const taskIds = await createTasks(stack);
    const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig as never);
    worker = await startWorkerProcess(stack);
    const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, { concurrency: 4, repeats: 5 });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const total = taskIds.length * 5;

    for (let i = 0; i < 300 && (await finishedTests(runId)) < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    await kill(worker);
    const atKill = await finishedTests(runId);
    expect(atKill).toBeGreaterThanOrEqual(20);
    expect(atKill).toBeLessThan(total);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    worker = await startWorkerProcess(stack);

    const run = await waitForRun(stack, experiment.id, runId, 120_000);
    expect(run.status).toBe('completed');
    expect(run.counts.total).toBe(total);
    expect(run.counts.passed + run.counts.failed).toBe(total);

    // An independent recount from the raw rows: one evaluation set per test, and statuses that agree with it.
    const recount = await sql<{ tests: number; evaluated: number; passed_by_results: number; duplicate_results: number }>`
      with per_test as (
        select t.id, t.status, count(e.id) as results, count(distinct e.position) as positions, bool_and(e.outcome = 'passed') as all_passed
        from experiments.tests t left join experiments.evaluation_results e on e.test_row_id = t.id
        where t.run_id = ${runId} group by t.id, t.status)
      select count(*)::int as tests,
             count(*) filter (where results > 0)::int as evaluated,
             count(*) filter (where all_passed)::int as passed_by_results,
             count(*) filter (where results <> positions)::int as duplicate_results
      from per_test`.execute(stack.host.db);
    expect(recount.rows[0]).toEqual({ tests: total, evaluated: total, passed_by_results: run.counts.passed, duplicate_results: 0 });
    const links = await sql<{ n: number }>`
      select count(*)::int as n from experiments.trace_links l join experiments.tests t on t.test_id = l.test_id
      where t.run_id = ${runId} and l.kind = 'linked'`.execute(stack.host.db);
    expect(links.rows[0]!.n).toBe(total);
  }, 240_000);
});
