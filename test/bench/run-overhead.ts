import { sql, type Kysely } from 'kysely';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import type { BenchServices } from './bench-services.js';
import { startDemoAppChild } from './demo-app-child.js';
import { kill, startWorkerProcess } from '../helpers/worker-process.js';
import { cpuBetween, cpuSnapshot, type CpuGroup } from './process-cpu.js';
import { postgresCpuMsPerTestByClient, postgresCpuSnapshot } from './postgres-cpu-by-client.js';

export interface OverheadFigures {
  tests: number;
  /** BENCH_WARM=1: a short run went first on the same worker (see warmUp). */
  warm: boolean;
  concurrency: number;
  appLatencyMs: number;
  wallSeconds: number;
  idealSeconds: number;
  ratio: number;
  traceToResultMs: { p50: number; p95: number; max: number };
  /**
   * From the root span's end, by the application's clock (the same machine's), to the test's result: what a user
   * waits, the export, ingestion and any pacing of the links included. traceToResultMs starts at the link.
   */
  rootEndToResultMs: { p50: number; p95: number };
  /** CPU seconds each part used from the run's start to its end, and per test in milliseconds. */
  cpuSeconds: Record<CpuGroup, number>;
  cpuMsPerTest: Record<CpuGroup, number>;
  /** Postgres's share split by whose connection used it (application_name), or Postgres's own processes. */
  postgresCpuMsPerTestByClient: Record<string, number>;
  /** With BENCH_STATEMENTS=1: statements Postgres ran for the run's database, per test, and the most frequent ones. */
  statements?: { perTest: number; top: Array<{ perTest: number; execMsPerTest: number; planMsPerTest: number; plansPerTest: number; walBytesPerTest: number; query: string }> };
}

/**
 * (a) Run overhead: the demo app answers each webhook in a fixed time (its pipeline of two model calls runs
 * inside the request); wall time from the run's creation to its last result, against tests ÷ concurrency × latency.
 * (c) Trace to result: from the root span's ingestion (the link's time) to the test's final status.
 */
export async function measureRunOverhead(services: BenchServices, options: { tests: number; concurrency: number; appLatencyMs: number }): Promise<OverheadFigures> {
  const databaseUrl = await services.newDatabase('bench_overhead');
  const stack = await startRunStack({
    services: { databaseUrl, temporalAddress: services.temporalAddress },
    // The demo app runs in a process of its own below, as a user's application runs apart from the tracing tool.
    demo: false,
    plugin: { maxConcurrency: 200 },
    startWorker: false,
  });
  // The worker runs in a process of its own, as in production.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const workerDatabaseUrl = new URL(stack.databaseUrl);
  workerDatabaseUrl.searchParams.set('application_name', 'experiments-worker');
  const worker = await startWorkerProcess(stack, { EXPERIMENTS_MAX_CONCURRENCY: '200', DATABASE_URL: workerDatabaseUrl.toString() }, profile);
  const demo = await startDemoProcess(stack, options.appLatencyMs);
  try {
    const repeats = 20;
    const taskCount = Math.ceil(options.tests / repeats);
    const tasks = Array.from({ length: taskCount }, (_, i) => ({ ...demoTasks[i % demoTasks.length]!, title: `Bench task ${i}` }));
    const taskIds = await createTasks(stack, tasks as never);
    const warm = process.env.BENCH_WARM === '1';
    if (warm) await warmUp(stack, taskIds.slice(0, 10), options.concurrency);
    const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig as never);
    const countStatements = process.env.BENCH_STATEMENTS === '1';
    if (countStatements) {
      await sql`create extension if not exists pg_stat_statements`.execute(stack.host.db);
      await sql`select pg_stat_statements_reset()`.execute(stack.host.db);
    }
    const postgresBefore = await postgresCpuSnapshot(stack.host.db);
    const cpuBefore = cpuSnapshot({ worker: worker.pid, demo: demo.pid });
    const runId = await startBaselineRun(stack, experiment, { concurrency: options.concurrency, repeats });
    const run = await waitForRun(stack, experiment.id, runId, 30 * 60_000);
    const cpuSeconds = cpuBetween(cpuBefore, cpuSnapshot({ worker: worker.pid, demo: demo.pid }));
    const postgresByClient = postgresCpuMsPerTestByClient(postgresBefore, await postgresCpuSnapshot(stack.host.db), run.counts.total);
    const timing = await sql<{ wall: number; p50: number; p95: number; max: number }>`
      select extract(epoch from (max(t.finished_at) - r.created_at))::float8 as wall,
             percentile_cont(0.5) within group (order by extract(epoch from (t.finished_at - l.root_span_at)) * 1000)::float8 as p50,
             percentile_cont(0.95) within group (order by extract(epoch from (t.finished_at - l.root_span_at)) * 1000)::float8 as p95,
             max(extract(epoch from (t.finished_at - l.root_span_at)) * 1000)::float8 as max
      from experiments.runs r join experiments.tests t on t.run_id = r.id
      left join experiments.trace_links l on l.test_id = t.test_id and l.kind = 'linked'
      where r.id = ${run.runId} group by r.created_at`.execute(stack.host.db);
    const row = timing.rows[0]!;
    const fromRootEnd = await sql<{ p50: number; p95: number }>`
      select percentile_cont(0.5) within group (order by extract(epoch from (t.finished_at - s.end_time)) * 1000)::float8 as p50,
             percentile_cont(0.95) within group (order by extract(epoch from (t.finished_at - s.end_time)) * 1000)::float8 as p95
      from experiments.tests t join spans s on s.trace_id = t.trace_id and s.parent_span_id is null
      where t.run_id = ${run.runId}`.execute(stack.host.db);
    const statements = countStatements ? await statementsPerTest(stack.host.db, run.counts.total) : undefined;
    const deadlocks = await sql<{ deadlocks: number }>`select deadlocks::int from pg_stat_database where datname = current_database()`.execute(stack.host.db);
    if (deadlocks.rows[0]!.deadlocks > 0) console.log(`Postgres broke ${deadlocks.rows[0]!.deadlocks} deadlock(s) in this run`);
    if (process.env.BENCH_DEBUG) {
      const perSecond = await sql<{ second: number; accepted: number; finished: number }>`
        select s.second, count(*) filter (where extract(epoch from (t.dispatched_at - r.created_at))::int = s.second)::int as accepted,
               count(*) filter (where extract(epoch from (t.finished_at - r.created_at))::int = s.second)::int as finished
        from experiments.runs r join experiments.tests t on t.run_id = r.id, generate_series(0, 40) s(second)
        where r.id = ${run.runId} group by s.second order by s.second`.execute(stack.host.db);
      console.log(perSecond.rows.filter((r) => r.accepted || r.finished).map((r) => `${r.second}s: +${r.accepted} accepted, +${r.finished} done`).join('\n'));
      const lag = await sql<{ second: number; n: number; p50: number; p95: number; max: number }>`
        select extract(epoch from (l.root_span_at - r.created_at))::int as second, count(*)::int as n,
               percentile_cont(0.5) within group (order by extract(epoch from (t.finished_at - l.root_span_at)) * 1000)::float8 as p50,
               percentile_cont(0.95) within group (order by extract(epoch from (t.finished_at - l.root_span_at)) * 1000)::float8 as p95,
               max(extract(epoch from (t.finished_at - l.root_span_at)) * 1000)::float8 as max
        from experiments.runs r join experiments.tests t on t.run_id = r.id join experiments.trace_links l on l.test_id = t.test_id and l.kind = 'linked'
        where r.id = ${run.runId} group by 1 order by 1`.execute(stack.host.db);
      console.log(lag.rows.map((r) => `trace→result in second ${r.second}: n=${r.n} p50=${Math.round(r.p50)} p95=${Math.round(r.p95)} max=${Math.round(r.max)} ms`).join('\n'));
      const gaps = await sql<{ accept: number; trace: number; result: number }>`
        select avg(extract(epoch from (t.dispatched_at - r.started_at)))::float8 as accept,
               avg(extract(epoch from (l.root_span_at - t.dispatched_at)))::float8 as trace,
               avg(extract(epoch from (t.finished_at - l.root_span_at)))::float8 as result
        from experiments.runs r join experiments.tests t on t.run_id = r.id join experiments.trace_links l on l.test_id = t.test_id
        where r.id = ${run.runId}`.execute(stack.host.db);
      console.log(gaps.rows[0]);
      await printStartTimeline(services.temporalAddress, stack.host.db, run.runId);
    }
    const ideal = idealSeconds(run.counts.total, options.concurrency, options.appLatencyMs);
    return {
      tests: run.counts.total,
      warm,
      concurrency: options.concurrency,
      appLatencyMs: options.appLatencyMs,
      wallSeconds: round(row.wall),
      idealSeconds: round(ideal),
      ratio: round(row.wall / ideal),
      traceToResultMs: { p50: round(row.p50), p95: round(row.p95), max: round(row.max) },
      rootEndToResultMs: { p50: round(fromRootEnd.rows[0]!.p50), p95: round(fromRootEnd.rows[0]!.p95) },
      cpuSeconds,
      cpuMsPerTest: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, round((v * 1000) / run.counts.total)])) as Record<CpuGroup, number>,
      postgresCpuMsPerTestByClient: postgresByClient,
      ...(statements ? { statements } : {}),
    };
  } finally {
    await kill(worker, 'SIGTERM');
    await kill(demo, 'SIGTERM');
    await stack.close();
  }
}

/**
 * A short run (ten tasks, about two tests a lane) on an experiment of its own, before the measured one: the
 * measured run then meets a worker, a Temporal client and connections that have run before, as runs on a long-lived
 * worker do. Without it each measured run starts cold (a fresh worker's first workflow task, its first connections),
 * about 0.3 s before the first webhook, which a run of a few seconds feels.
 */
async function warmUp(stack: RunStack, taskIds: string[], concurrency: number) {
  const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig as never);
  const runId = await startBaselineRun(stack, experiment, { concurrency, repeats: Math.min(20, Math.ceil((2 * concurrency) / taskIds.length)) });
  await waitForRun(stack, experiment.id, runId, 5 * 60_000);
}

/** Starts the experiment's baseline run and returns its id. */
async function startBaselineRun(stack: RunStack, experiment: { id: string; baselineVariantId: string }, settings: { concurrency: number; repeats: number }) {
  const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, settings);
  if (started.status !== 202) throw new Error(`run not started: ${JSON.stringify(started.body)}`);
  return started.body.runId as string;
}

/** Statements of the run's database since the reset before the run (the bench's own queries are few). */
async function statementsPerTest(db: Kysely<any>, tests: number) {
  // Planning is counted when Postgres runs with pg_stat_statements.track_planning=on (BENCH_PG_FLAGS).
  const rows = await sql<{ calls: string; exec_ms: number; plan_ms: number; plans: string; wal_bytes: string; query: string }>`
    select calls, total_exec_time as exec_ms, total_plan_time as plan_ms, plans, wal_bytes, query from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database())
    order by total_exec_time + total_plan_time desc`.execute(db);
  const total = rows.rows.reduce((sum, r) => sum + Number(r.calls), 0);
  return {
    perTest: round(total / tests),
    top: rows.rows.slice(0, 12).map((r) => ({
      perTest: round(Number(r.calls) / tests),
      execMsPerTest: round(r.exec_ms / tests),
      planMsPerTest: round(r.plan_ms / tests),
      plansPerTest: round(Number(r.plans) / tests),
      walBytesPerTest: Math.round(Number(r.wal_bytes) / tests),
      query: r.query.replace(/\s+/g, ' ').slice(0, 160),
    })),
  };
}

/** The demo app in its own process, set as the project's webhook (saved first to learn the secret). */
async function startDemoProcess(stack: RunStack, appLatencyMs: number) {
  const placeholder = await stack.api<{ secret: string }>('PUT', '/api/webhook', { url: 'http://127.0.0.1:9/webhook' });
  const { child, webhookUrl } = await startDemoAppChild({ hostUrl: stack.baseUrl, apiKey: stack.apiKey, webhookSecret: placeholder.body.secret, appLatencyMs });
  await stack.api('PUT', '/api/webhook', { url: webhookUrl });
  return child;
}

/** What a run would take if only the application took time: its tests, `concurrency` at a time, `appLatencyMs` each. */
export function idealSeconds(tests: number, concurrency: number, appLatencyMs: number): number {
  return (tests / concurrency) * (appLatencyMs / 1000);
}

/** BENCH_DEBUG: when each step of the run's start happened, in ms after the run's row was created. */
async function printStartTimeline(temporalAddress: string, db: Kysely<any>, runId: string) {
  const { Connection, Client } = await import('@temporalio/client');
  const row = (await sql<{ workflow_id: string; created: number; first: number }>`
    select r.workflow_id, extract(epoch from r.created_at) * 1000 as created, extract(epoch from min(t.dispatched_at)) * 1000 as first
    from experiments.runs r join experiments.tests t on t.run_id = r.id where r.id = ${runId} group by r.id`.execute(db)).rows[0]!;
  const connection = await Connection.connect({ address: temporalAddress });
  const history = await new Client({ connection }).workflow.getHandle(row.workflow_id).fetchHistory();
  await connection.close();
  const { temporal } = (await import('@temporalio/proto')).default;
  for (const event of (history.events ?? []).slice(0, 20)) {
    const at = Number(event.eventTime!.seconds) * 1000 + Math.round((event.eventTime!.nanos ?? 0) / 1e6);
    const activity = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '';
    console.log(`${String(Math.round(at - row.created)).padStart(6)} ms  ${temporal.api.enums.v1.EventType[event.eventType!]} ${activity}`);
  }
  console.log(`${String(Math.round(row.first - row.created)).padStart(6)} ms  first test dispatched`);
}

const round = (value: number) => Math.round(value * 1000) / 1000;
