import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { TaskRule } from '../domain/comparison.js';
import type { StoppedRecord } from '../domain/stop-summary.js';
import type { TaskTally } from '../domain/task-outcomes.js';
import { finalTestStatuses, openTestStatuses } from '../domain/experiment-status.js';
import type { Db } from './connect.js';
import type { ExperimentScope } from './experiment-repository.js';

/** A run of an experiment, as the results list it. */
export interface ResultRun {
  id: string;
  variantId: string;
  number: number;
  isBaseline: boolean;
  status: string;
  repeats: number;
  taskRule: TaskRule;
  total: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Changes whenever a finished run's results change (re-evaluation). */
  resultsVersion: number;
  /** Why the run stopped sending before every test went out (issue 15), as kept on the run; null when it did not. */
  stopped: StoppedRecord | null;
  /** The run could stop once decided: it is judged by the anytime-valid test, not a fixed-size one. */
  stopWhenDecided: boolean;
}

/** A run's tests counted by outcome, with latency percentiles and usage totals, all computed in Postgres. */
export interface RunFigures {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  /** Tests not final yet (pending, dispatched, awaiting a trace, evaluating). */
  open: number;
  /** Tests that never ran (cancelled, stopped early, over budget): shown apart, counted in no rate. */
  notRun: number;
  noEvaluations: number;
  overrideNotApplied: number;
  latencyP50: number | null;
  latencyP95: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  /** Sum over the tests whose cost is known: with `costUnknown` > 0, a lower bound. */
  cost: number | null;
  /** Tests with a result whose cost could not be priced (e.g. a model not in the price table), and why (distinct). */
  costUnknown: number;
  costNotes: string[];
}

/** A flip of a task against the baseline's run. */
export type Flip = 'regressed' | 'improved' | 'unchanged';

export const flips: readonly Flip[] = ['regressed', 'improved', 'unchanged'];

/** One evaluator's result of a test's latest evaluation round. */
export interface TestEvaluation {
  evaluator: string;
  outcome: string;
  score: number | null;
  reason: string;
}

/** One test of a run beside the baseline's test of the same task and repeat. */
export interface TestResultRow {
  position: number;
  testId: string;
  taskId: string;
  taskTitle: string | null;
  repeat: number;
  attempt: number;
  status: string;
  error: string | null;
  output: string | null;
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  /** Why the cost is unknown though the trace showed calls (e.g. "unknown model llama-3-70b"); null when known. */
  costNote: string | null;
  overrideMismatches: Array<Record<string, unknown>> | null;
  traceId: string | null;
  evaluations: TestEvaluation[];
  /** Why the test did not run, when its status is `not_run`. */
  notRunReason: string | null;
  /** Passed repeats of this test's task in this run, its repeats that ran to a result, and all its repeats. */
  taskPasses: number;
  taskFinished: number;
  taskRepeats: number;
  /** The baseline run's tally of the same task: passes over finished repeats. */
  baselineTask: { passes: number; finished: number } | null;
  baseline: { testId: string; status: string; output: string | null; traceId: string | null } | null;
  /** The task's flip against the baseline, as the results pipeline decides it (by pass fractions); null when not compared. */
  flip: Flip | null;
}

/** The figures of a run without tests. */
export const emptyFigures: RunFigures = {
  total: 0,
  passed: 0,
  failed: 0,
  errored: 0,
  timedOut: 0,
  open: 0,
  notRun: 0,
  noEvaluations: 0,
  overrideNotApplied: 0,
  latencyP50: null,
  latencyP95: null,
  inputTokens: null,
  outputTokens: null,
  totalTokens: null,
  cost: null,
  costUnknown: 0,
  costNotes: [],
};

const statusList = (statuses: readonly string[]) => sql`(${sql.join(statuses.map((status) => sql.lit(status)))})`;
const finalStatuses = statusList(finalTestStatuses);
const openStatuses = statusList(openTestStatuses);

const toNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/** Every run of the experiment, each variant's newest first. */
export async function listResultRuns(db: Db, scope: ExperimentScope): Promise<ResultRun[]> {
  const rows = await db
    .selectFrom('runs as r')
    .innerJoin('experiments as e', 'e.id', 'r.experiment_id')
    .select([
      'r.id',
      'r.variant_id',
      'r.number',
      'r.is_baseline',
      'r.status',
      'r.repeats',
      'r.task_rule',
      'r.total',
      'r.created_at',
      'r.started_at',
      'r.finished_at',
      'r.results_version',
      'r.stopped',
      'r.stop_when_decided',
    ])
    .where('e.project_id', '=', scope.projectId)
    .where('r.experiment_id', '=', scope.experimentId)
    .orderBy('r.variant_id')
    .orderBy('r.number', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    variantId: row.variant_id,
    number: row.number,
    isBaseline: row.is_baseline,
    status: row.status,
    repeats: row.repeats,
    taskRule: row.task_rule as TaskRule,
    total: row.total,
    createdAt: new Date(row.created_at),
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
    resultsVersion: row.results_version,
    stopped: (row.stopped as unknown as StoppedRecord | null) ?? null,
    stopWhenDecided: row.stop_when_decided,
  }));
}

/** Counts, latency percentiles (type 7, as `percentile`) and usage totals per run: one grouped scan. */
export async function runFigures(db: Db, runIds: readonly string[]): Promise<Map<string, RunFigures>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('tests as t')
    .where('t.run_id', 'in', [...runIds])
    .groupBy('t.run_id')
    .select([
      't.run_id',
      sql<string>`count(*)`.as('total'),
      sql<string>`count(*) filter (where t.status = 'passed')`.as('passed'),
      sql<string>`count(*) filter (where t.status = 'failed')`.as('failed'),
      sql<string>`count(*) filter (where t.status = 'errored')`.as('errored'),
      sql<string>`count(*) filter (where t.status = 'timed_out')`.as('timed_out'),
      sql<string>`count(*) filter (where t.status in ${openStatuses})`.as('open'),
      sql<string>`count(*) filter (where t.status = 'not_run')`.as('not_run'),
      sql<string>`count(*) filter (where t.no_evaluations)`.as('no_evaluations'),
      sql<string>`count(*) filter (where t.override_mismatches is not null)`.as('override_not_applied'),
      // Ordered-set aggregates skip nulls: tests without a trace have no latency and do not count.
      sql<number | null>`percentile_cont(0.5) within group (order by t.latency_ms)`.as('latency_p50'),
      sql<number | null>`percentile_cont(0.95) within group (order by t.latency_ms)`.as('latency_p95'),
      sql<string | null>`sum(t.input_tokens)`.as('input_tokens'),
      sql<string | null>`sum(t.output_tokens)`.as('output_tokens'),
      sql<
        string | null
      >`sum(coalesce(t.input_tokens, 0) + coalesce(t.output_tokens, 0)) filter (where t.input_tokens is not null or t.output_tokens is not null)`.as(
        'total_tokens',
      ),
      sql<number | null>`sum(t.cost)`.as('cost'),
      sql<string>`count(*) filter (where t.cost is null and t.cost_note is not null)`.as('cost_unknown'),
      sql<string[] | null>`array_agg(distinct t.cost_note order by t.cost_note) filter (where t.cost is null and t.cost_note is not null)`.as('cost_notes'),
    ])
    .execute();
  return new Map(
    rows.map((row) => [
      row.run_id,
      {
        total: Number(row.total),
        passed: Number(row.passed),
        failed: Number(row.failed),
        errored: Number(row.errored),
        timedOut: Number(row.timed_out),
        open: Number(row.open),
        notRun: Number(row.not_run),
        noEvaluations: Number(row.no_evaluations),
        overrideNotApplied: Number(row.override_not_applied),
        latencyP50: toNumber(row.latency_p50),
        latencyP95: toNumber(row.latency_p95),
        inputTokens: toNumber(row.input_tokens),
        outputTokens: toNumber(row.output_tokens),
        totalTokens: toNumber(row.total_tokens),
        cost: toNumber(row.cost),
        costUnknown: Number(row.cost_unknown),
        costNotes: row.cost_notes ?? [],
      },
    ]),
  );
}

/** Latency, tokens and cost of one inference step over a run's evaluated tests. */
export interface StepFigures {
  step: string;
  tests: number;
  latencyP50: number | null;
  latencyP95: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Sum over the step's calls whose cost is known: with `costUnknown` > 0, a lower bound. */
  cost: number | null;
  /** Tests whose cost of this step could not be priced, and why (distinct). */
  costUnknown: number;
  costNotes: string[];
}

/** Per-step figures of each run, aggregated in Postgres from the steps recorded at evaluation. */
export async function stepFigures(db: Db, runIds: readonly string[]): Promise<Map<string, StepFigures[]>> {
  const byRun = new Map<string, StepFigures[]>();
  if (runIds.length === 0) return byRun;
  const rows = await db
    .selectFrom('test_steps as s')
    .innerJoin('tests as t', (join) => join.onRef('t.id', '=', 's.test_row_id').onRef('t.attempt', '=', 's.attempt'))
    .select([
      't.run_id',
      's.step',
      (eb) => eb.fn.countAll<string>().as('tests'),
      sql<number | null>`percentile_cont(0.5) within group (order by s.latency_ms)`.as('latency_p50'),
      sql<number | null>`percentile_cont(0.95) within group (order by s.latency_ms)`.as('latency_p95'),
      sql<string | null>`sum(s.input_tokens)`.as('input_tokens'),
      sql<string | null>`sum(s.output_tokens)`.as('output_tokens'),
      sql<number | null>`sum(s.cost)`.as('cost'),
      sql<string>`count(*) filter (where s.cost is null and s.cost_note is not null)`.as('cost_unknown'),
      sql<string[] | null>`array_agg(distinct s.cost_note order by s.cost_note) filter (where s.cost is null and s.cost_note is not null)`.as('cost_notes'),
    ])
    .where('t.run_id', 'in', [...runIds])
    .groupBy(['t.run_id', 's.step'])
    .orderBy('s.step')
    .execute();
  for (const row of rows) {
    const figures: StepFigures = {
      step: row.step,
      tests: Number(row.tests),
      latencyP50: toNumber(row.latency_p50),
      latencyP95: toNumber(row.latency_p95),
      inputTokens: toNumber(row.input_tokens),
      outputTokens: toNumber(row.output_tokens),
      cost: toNumber(row.cost),
      costUnknown: Number(row.cost_unknown),
      costNotes: row.cost_notes ?? [],
    };
    byRun.set(row.run_id, [...(byRun.get(row.run_id) ?? []), figures]);
  }
  return byRun;
}

/**
 * Each run's tasks as the statistics see them (domain/task-outcomes.ts): per task, its passes over its repeats that
 * ran to a result. Pending and not-run tests count nowhere. One grouped scan; tasks in dispatch order.
 */
export async function taskTallies(db: Db, runIds: readonly string[]): Promise<Map<string, TaskTally[]>> {
  const byRun = new Map<string, TaskTally[]>();
  if (runIds.length === 0) return byRun;
  const rows = await db
    .selectFrom('tests as t')
    .where('t.run_id', 'in', [...runIds])
    .groupBy(['t.run_id', 't.task_id'])
    .select([
      't.run_id',
      't.task_id',
      sql<number>`(count(*) filter (where t.status = 'passed'))::int`.as('passes'),
      sql<number>`(count(*) filter (where t.status in ${finalStatuses}))::int`.as('finished'),
      sql<number>`min(t.position)`.as('first'),
    ])
    .orderBy('t.run_id')
    .orderBy('first')
    .execute();
  for (const row of rows) {
    const tallies = byRun.get(row.run_id) ?? [];
    tallies.push({ taskId: row.task_id, passes: row.passes, finished: row.finished });
    byRun.set(row.run_id, tallies);
  }
  return byRun;
}

// Per task of one run, limited to some tasks: its passes over the repeats that ran to a result, and its repeats.
function taskTallyRows(db: Db, runId: string | null, taskIds: readonly string[]) {
  return db
    .selectFrom('tests as t')
    .where((eb) => (runId === null || taskIds.length === 0 ? eb.lit(false) : eb.and([eb('t.run_id', '=', runId), eb('t.task_id', 'in', [...taskIds])])))
    .groupBy('t.task_id')
    .select([
      't.task_id',
      sql<number>`count(*)::int`.as('repeats'),
      sql<number>`(count(*) filter (where t.status = 'passed'))::int`.as('passes'),
      sql<number>`(count(*) filter (where t.status in ${finalStatuses}))::int`.as('finished'),
    ]);
}

/**
 * A page of a run's tests in dispatch order after `afterPosition`, each beside the baseline run's test of the same
 * task and repeat and with both runs' tallies of its task. Which tasks flipped is not decided here: the results
 * pipeline (operations/experiment-results.ts) decides it and passes the tasks to show as `taskIds`. `limit + 1` rows
 * are read so the caller knows whether another page follows.
 */
export async function listTestResults(
  db: Db,
  input: {
    experimentId: string;
    runId: string;
    /** The baseline's latest completed run; null for the baseline's own runs or when it has none. */
    baselineRunId: string | null;
    afterPosition: number;
    limit: number;
    status?: string;
    /** Only the tests of these tasks. */
    taskIds?: readonly string[];
  },
): Promise<TestResultRow[]> {
  const { baselineRunId, taskIds } = input;
  if (taskIds !== undefined && taskIds.length === 0) return [];
  const pageIds = await db
    .selectFrom('tests')
    .select(['id', 'task_id'])
    .where('run_id', '=', input.runId)
    .where('position', '>', input.afterPosition)
    .$if(input.status !== undefined, (qb) => qb.where('status', '=', input.status!))
    .$if(taskIds !== undefined, (qb) => qb.where('task_id', 'in', [...taskIds!]))
    .orderBy('position')
    .limit(input.limit + 1)
    .execute();
  if (pageIds.length === 0) return [];
  const pageTasks = [...new Set(pageIds.map((row) => row.task_id))];

  const rows = db
    .selectFrom('tests as t')
    .innerJoin(taskTallyRows(db, input.runId, pageTasks).as('o'), 'o.task_id', 't.task_id')
    .leftJoin(taskTallyRows(db, baselineRunId, pageTasks).as('bo'), 'bo.task_id', 't.task_id')
    .leftJoin('tests as bt', (join) =>
      join
        .onRef('bt.task_id', '=', 't.task_id')
        .onRef('bt.repeat', '=', 't.repeat')
        .on((eb) => (baselineRunId === null ? eb.lit(false) : eb('bt.run_id', '=', baselineRunId))),
    )
    .leftJoin('experiment_tasks as et', (join) =>
      join.onRef('et.task_id', '=', 't.task_id').on('et.experiment_id', '=', input.experimentId),
    )
    .where('t.id', 'in', pageIds.map((row) => row.id))
    .select([
      't.id',
      't.position',
      't.test_id',
      't.task_id',
      't.repeat',
      't.attempt',
      't.status',
      't.not_run_reason',
      't.error',
      't.output',
      't.latency_ms',
      't.input_tokens',
      't.output_tokens',
      't.cost',
      't.cost_note',
      't.override_mismatches',
      't.trace_id',
      sql<string | null>`et.snapshot ->> 'title'`.as('task_title'),
      'o.passes as task_passes',
      'o.finished as task_finished',
      'o.repeats as task_repeats',
      'bo.passes as baseline_task_passes',
      'bo.finished as baseline_task_finished',
      'bt.test_id as baseline_test_id',
      'bt.status as baseline_status',
      'bt.output as baseline_output',
      'bt.trace_id as baseline_trace_id',
    ]);

  // The evaluations are read for the page only.
  const page = await db
    .selectFrom(rows.as('x'))
    .selectAll('x')
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('evaluation_results as er')
          .select(['er.evaluator', 'er.outcome', 'er.score', 'er.reason'])
          .whereRef('er.test_row_id', '=', 'x.id')
          .whereRef('er.attempt', '=', 'x.attempt')
          .where('er.round', '=', (inner) =>
            inner
              .selectFrom('evaluation_results as latest')
              .select((agg) => agg.fn.max('latest.round').as('round'))
              .whereRef('latest.test_row_id', '=', 'er.test_row_id')
              .whereRef('latest.attempt', '=', 'er.attempt'),
          )
          .orderBy('er.position'),
      ).as('evaluations'),
    ])
    .orderBy('x.position')
    .limit(input.limit + 1)
    .execute();

  return page.map((row) => ({
    position: row.position,
    testId: row.test_id,
    taskId: row.task_id,
    taskTitle: row.task_title,
    repeat: row.repeat,
    attempt: row.attempt,
    status: row.status,
    error: row.error,
    output: row.output,
    latencyMs: row.latency_ms,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cost: row.cost,
    costNote: row.cost_note,
    overrideMismatches: row.override_mismatches,
    traceId: row.trace_id,
    evaluations: row.evaluations.map((e) => ({ evaluator: e.evaluator, outcome: e.outcome, score: e.score, reason: e.reason })),
    notRunReason: row.not_run_reason,
    taskPasses: row.task_passes,
    taskFinished: row.task_finished,
    taskRepeats: row.task_repeats,
    baselineTask:
      row.baseline_task_passes === null || row.baseline_task_finished === null
        ? null
        : { passes: row.baseline_task_passes, finished: row.baseline_task_finished },
    baseline:
      row.baseline_test_id === null || row.baseline_status === null
        ? null
        : { testId: row.baseline_test_id, status: row.baseline_status, output: row.baseline_output, traceId: row.baseline_trace_id },
    flip: null,
  }));
}

/** The titles of some of an experiment's tasks, from their snapshots; a task without one is left out. */
export async function taskTitles(db: Db, experimentId: string, taskIds: readonly string[]): Promise<Map<string, string>> {
  if (taskIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('experiment_tasks')
    .select(['task_id', sql<string | null>`snapshot ->> 'title'`.as('title')])
    .where('experiment_id', '=', experimentId)
    .where('task_id', 'in', [...taskIds])
    .execute();
  return new Map(rows.flatMap((row) => (row.title === null ? [] : [[row.task_id, row.title] as const])));
}
