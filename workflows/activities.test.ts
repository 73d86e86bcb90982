import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../plugin/config.js';
import type { ExperimentsHost, HostSpan } from '../plugin/host.js';
import type { Db } from '../plugin/store/connect.js';
import { jsonb } from '../plugin/store/jsonb.js';
import { createPluginDatabase } from '../test/helpers/plugin-database.js';
import { createActivities, type SweepResult } from './activities.js';

// The activities with their dependencies handed in: a real Postgres of their own, and a host that is only the
// traces it is given. Temporal's MockActivityEnvironment gives them an activity context (heartbeats, cancellation).

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;
const traces = new Map<string, HostSpan[]>();
const host = {
  traces: {
    get: async (projectId: string, traceId: string) => (traces.has(traceId) ? { traceId, projectId, spans: traces.get(traceId)! } : null),
    pageUrl: (_projectId: string, traceId: string) => `/traces/${traceId}`,
  },
} as unknown as ExperimentsHost;
const config = parseConfig({ databaseUrl: 'postgres://unused', workflowHistoryBudget: 1_234 });
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  database = await createPluginDatabase('activities');
  db = database.db;
  activities = createActivities({ db, host, config });
});
afterAll(async () => {
  await database?.close();
});

/** A baseline run of `statuses.length` tests, one per task, with `contains: refund` as the task's evaluation. */
async function baselineRun(statuses: string[], runStatus = 'pending') {
  const experiment = await db.insertInto('experiments').values({ project_id: 'p', name: 'Activities', status: 'running_baseline' }).returning('id').executeTakeFirstOrThrow();
  const variant = await db.insertInto('variants').values({ experiment_id: experiment.id, name: 'Baseline', is_baseline: true, status: 'running' }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('experiment_tasks')
    .values(statuses.map((_, position) => ({
      experiment_id: experiment.id, task_id: `task-${position}`, position,
      snapshot: jsonb({ id: `task-${position}`, title: 'Refunds', prompt: 'Can I get a refund?', evaluations: [{ type: 'contains', value: 'refund' }] }),
    })))
    .execute();
  const run = await db
    .insertInto('runs')
    .values({
      experiment_id: experiment.id, variant_id: variant.id, number: 1, is_baseline: true, status: runStatus, concurrency: 3, repeats: 1,
      trace_timeout_seconds: 60, config: JSON.stringify({}), total: statuses.length, workflow_id: `run-${experiment.id}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tests = statuses.map((status, position) => ({ run_id: run.id, task_id: `task-${position}`, repeat: 0, position, status, test_id: crypto.randomUUID() }));
  await db.insertInto('tests').values(tests).execute();
  return { runId: run.id, experimentId: experiment.id, testIds: tests.map((test) => test.test_id) };
}

describe('the run activities with injected dependencies', () => {
  it('startRun marks a pending run running and plans it; a run that does not exist fails without retries', async () => {
    const { runId } = await baselineRun(['pending', 'pending']);
    const plan = await new MockActivityEnvironment().run(activities.startRun, runId);
    expect(plan).toEqual({ open: true, concurrency: 3, awaitingLimit: 30, traceTimeoutSeconds: 60, total: 2, historyBudget: 1_234, mayStop: false });
    expect((await db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirstOrThrow()).status).toBe('running');

    const missing = new MockActivityEnvironment().run(activities.startRun, crypto.randomUUID());
    await expect(missing).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(missing).rejects.toMatchObject({ type: 'RunNotFound', nonRetryable: true });
  });

  it('sweep times out the tests past their deadline and reports the linked ones still to evaluate', async () => {
    const { runId, testIds } = await baselineRun(['awaiting_trace', 'evaluating', 'awaiting_trace'], 'running');
    await db.updateTable('tests').set({ deadline_at: new Date(Date.now() - 1_000) }).where('test_id', '=', testIds[0]!).execute();
    await db.updateTable('tests').set({ trace_id: 'trace-b' }).where('test_id', '=', testIds[1]!).execute();
    const deadline = new Date(Date.now() + 60_000);
    await db.updateTable('tests').set({ deadline_at: deadline }).where('test_id', '=', testIds[2]!).execute();
    const result: SweepResult = await new MockActivityEnvironment().run(activities.sweep, runId);
    expect(result.timedOut).toBe(1);
    expect(result.arrived).toEqual([{ testId: testIds[1], traceId: 'trace-b' }]);
    expect(result.counts).toMatchObject({ total: 3, timedOut: 1, evaluating: 1, awaitingTrace: 1 });
    expect(result.nextDeadline).toBe(deadline.getTime());
  });

  it('evaluateTests writes each result once from the trace the host has, heartbeating as it goes', async () => {
    const { runId, testIds } = await baselineRun(['evaluating', 'evaluating'], 'running');
    const span = (traceId: string, output: string): HostSpan => ({
      traceId, spanId: `${traceId}-root`, parentSpanId: null, name: 'answer', startTime: '2026-12-01T00:00:00.000Z',
      endTime: '2026-12-01T00:00:00.250Z', attributes: { 'output.value': output },
    });
    traces.set('trace-yes', [span('trace-yes', 'Your refund is on its way.')]);
    traces.set('trace-no', [span('trace-no', 'Please call us.')]);
    const arrivals = [{ testId: testIds[0]!, traceId: 'trace-yes' }, { testId: testIds[1]!, traceId: 'trace-no' }];
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    expect(await env.run(activities.evaluateTests, runId, arrivals)).toBe(2);
    expect(heartbeats.length).toBeGreaterThan(0);
    const rows = await db.selectFrom('tests').select(['test_id', 'status', 'latency_ms']).where('run_id', '=', runId).orderBy('position').execute();
    expect(rows.map((row) => [row.status, row.latency_ms])).toEqual([['passed', 250], ['failed', 250]]);
    // A retried activity finds the results written and changes nothing.
    expect(await new MockActivityEnvironment().run(activities.evaluateTests, runId, arrivals)).toBe(0);
  });

  it('finishRun ends a run once: completed with its tests final, nothing the second time', async () => {
    const { runId, experimentId } = await baselineRun(['passed', 'failed'], 'running');
    expect(await new MockActivityEnvironment().run(activities.finishRun, runId, false)).toBe('completed');
    expect(await new MockActivityEnvironment().run(activities.finishRun, runId, false)).toBeNull();
    const experiment = await db.selectFrom('experiments').select(['status', 'locked_at']).where('id', '=', experimentId).executeTakeFirstOrThrow();
    expect(experiment.status).toBe('baseline_complete');
    expect(experiment.locked_at).not.toBeNull();
  });
});
