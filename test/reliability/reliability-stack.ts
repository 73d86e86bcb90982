import { Kysely, sql } from 'kysely';
import postgres from 'postgres';
import type { ExperimentsConfigInput } from '../../plugin/index.js';
import { PostgresJsDialect } from '../../plugin/store/postgres-js-dialect.js';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import type { DemoServerOptions } from '../../dev/demo-app/index.js';
import { createReadyExperiment, createTasks, startRunStack, type RunStack } from '../helpers/run-stack.js';
import { startReliabilityServices, type ReliabilityServices } from './reliability-services.js';
import { installTestAudit } from './run-accounting.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tasks × repeats of every run in this suite: at least 500 tests. */
export const taskCount = 25;
export const repeats = 20;
export const runSize = taskCount * repeats;

export interface ReliabilityStack {
  services: ReliabilityServices;
  stack: RunStack;
  /** The test's own reads, on a pool of its own rather than the host's or plugin's. */
  observer: Observer;
  close(): Promise<void>;
}

export interface Observer {
  /** Runs `fn` on the observer's pool: null if it fails or takes over 5 s (the pool is then replaced). */
  read<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T | null>;
  /** Runs `fn` on a pool opened for it, which has seen no fault: for the final recount. */
  fresh<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const connectObserver = (url: string) => new Kysely<any>({ dialect: new PostgresJsDialect(postgres(url, { max: 2, onnotice: () => {} })) });

// The test's eyes must not share the faults it injects: a read the driver never settles (one of the
// driver's own faults after a Postgres restart) times out, and the next read gets a new pool.
function createObserver(url: string): Observer {
  let db = connectObserver(url);
  return {
    async read(fn) {
      const current = db;
      const result = await Promise.race([
        fn(current).then(
          (value) => ({ value }),
          () => null,
        ),
        pause(5_000).then(() => 'timeout' as const),
      ]);
      if (result !== 'timeout') return result?.value ?? null;
      db = connectObserver(url);
      void current.destroy().catch(() => {});
      return null;
    },
    async fresh(fn) {
      const once = connectObserver(url);
      try {
        return await fn(once);
      } finally {
        await once.destroy();
      }
    },
    close: () => Promise.race([db.destroy(), pause(5_000)]).then(() => {}),
  };
}

/** The file's own Postgres and Temporal, the real host with the plugin on them, and the audit trigger. */
export async function startReliabilityStack(
  options: { plugin?: Partial<ExperimentsConfigInput>; demo?: Partial<DemoServerOptions> | false } = {},
): Promise<ReliabilityStack> {
  const services = await startReliabilityServices();
  let stack: RunStack;
  try {
    stack = await startRunStack({
      services: { databaseUrl: services.databaseUrl, temporalAddress: services.temporalAddress },
      startWorker: false,
      demo: options.demo ?? { latencyMs: 2 },
      ...(options.plugin ? { plugin: options.plugin } : {}),
    });
    await installTestAudit(stack.host.db);
  } catch (error) {
    await services.stop();
    throw error;
  }
  const observer = createObserver(services.databaseUrl);
  return {
    services,
    stack,
    observer,
    async close() {
      await observer.close();
      // A pool left with a request that never settles (a driver fault after a restart) would keep the
      // stack from closing; stopping Postgres closes its connections, which then lets it.
      const closing = stack.close();
      const closed = await Promise.race([closing.then(() => true), pause(15_000).then(() => false)]);
      await services.stop();
      if (!closed) await Promise.race([closing, pause(15_000)]);
    },
  };
}

/** The demo catalog's tasks, as many as a run needs (the catalog has fewer, so some come twice, renamed). */
export const demoRunTasks = Array.from({ length: taskCount }, (_, i) => {
  const task = demoTasks[i % demoTasks.length]!;
  return { ...task, title: i < demoTasks.length ? task.title : `${task.title} (again)` };
});

/** Tasks that any application passes by answering "ok". */
export const okTasks = Array.from({ length: taskCount }, (_, i) => ({
  title: `Task ${i}`,
  prompt: `Say ok ${i}`,
  evaluations: [{ type: 'contains', value: 'ok' }],
}));

export interface StartedRun {
  experimentId: string;
  runId: string;
  total: number;
}

/** Starts a baseline run of `taskCount` tasks × `repeats`. */
export async function startBaselineRun(
  stack: RunStack,
  settings: { concurrency: number; traceTimeoutSeconds: number },
  tasks: ReadonlyArray<Record<string, unknown>> = demoRunTasks,
): Promise<StartedRun> {
  if (tasks.length !== taskCount) throw new Error(`expected ${taskCount} tasks, got ${tasks.length}`);
  const experiment = await createReadyExperiment(stack, await createTasks(stack, tasks), demoBaselineConfig as never);
  const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {
    ...settings,
    repeats,
  });
  if (started.status !== 202) throw new Error(`run not started: ${started.status} ${JSON.stringify(started.body)}`);
  return { experimentId: experiment.id, runId: started.body.runId as string, total: runSize };
}

/** Tests of the run with a final result, or null while the database cannot be read. */
export async function finishedTests(env: ReliabilityStack, runId: string): Promise<number | null> {
  const rows = await env.observer.read((db) =>
    sql<{ n: number }>`
      select count(*)::int as n from experiments.tests where run_id = ${runId} and status in ('passed', 'failed', 'errored', 'timed_out')`.execute(
      db,
    ),
  );
  return rows ? rows.rows[0]!.n : null;
}

/** The run's tests by status right now (for the report of when a fault struck), or null while the database cannot be read. */
export async function statusSnapshot(env: ReliabilityStack, runId: string): Promise<Record<string, number> | null> {
  const rows = await env.observer.read((db) =>
    sql<{ status: string; n: number }>`
      select status, count(*)::int as n from experiments.tests where run_id = ${runId} group by status order by status`.execute(db),
  );
  return rows ? Object.fromEntries(rows.rows.map((row) => [row.status, row.n])) : null;
}

/** Resolves once at least `n` tests are final; returns how many were. */
export async function untilFinished(env: ReliabilityStack, runId: string, n: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await finishedTests(env, runId);
    if (done !== null && done >= n) return done;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${n} tests final after ${timeoutMs} ms`);
    await pause(50);
  }
}

/**
 * Polls the run through the plugin's API until it has ended. Unlike the main suite's helper it rides
 * out failed and unanswered lookups: while Postgres is down the API answers 5xx, and that is the fault
 * under test.
 */
export async function waitForRunEnd(stack: RunStack, run: StartedRun, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    const response = await fetch(`${stack.baseUrl}/plugins/experiments/api/experiments/${run.experimentId}/runs/${run.runId}`, {
      headers: { 'x-api-key': stack.apiKey },
      signal: AbortSignal.timeout(5_000),
    }).then(
      async (r) => ({ status: r.status, body: r.status === 200 ? await r.json() : null }),
      () => ({ status: 0, body: null }),
    );
    if (response.status === 200) {
      last = response.body;
      if (!['pending', 'running'].includes(response.body.status)) return response.body;
    }
    if (Date.now() > deadline) throw new Error(`run ${run.runId} not ended after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await pause(250);
  }
}

/** Seconds since `start`, for the timings a test prints. */
export const secondsSince = (start: number) => Number(((Date.now() - start) / 1000).toFixed(1));
