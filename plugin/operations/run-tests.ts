import type { TestStatus } from '../domain/experiment-status.js';
import { flakiness } from '../domain/flakiness.js';
import type { PairedComparison } from '../domain/paired-comparison.js';
import { pairTasks } from '../domain/paired-tasks.js';
import { ExperimentsError } from '../errors.js';
import type { ExperimentRecord } from '../store/experiment-repository.js';
import { listTestResults, type Flip, type ResultRun, type TestResultRow } from '../store/results-queries.js';
import type { Caller } from './caller.js';
import { compareTallies, experimentResultsDetail, type ResultsDetail } from './experiment-results.js';
import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { decodeTestCursor, encodeTestCursor } from './test-cursor.js';

export type { Flip, TestResultRow };
export { flips } from '../store/results-queries.js';

/** One test of a run beside the baseline's test of the same task and repeat, with links to both traces in the host. */
export interface RunTestRow extends TestResultRow {
  traceUrl: string | null;
  baselineTraceUrl: string | null;
}

/** A run of one of the caller's experiments and the baseline run its tests are set beside. */
export interface RunBesideBaseline {
  experiment: ExperimentRecord;
  run: ResultRun;
  /** The baseline's latest completed run; null for the baseline's own runs or before it has completed. */
  baselineRun: ResultRun | null;
  /** The run against the baseline run as the results pipeline compares them; null when not compared. */
  comparison: PairedComparison | null;
  /** Tasks both runs finished: the ones the comparison is over. */
  pairedTasks: string[];
  /** Tasks of the run whose finished repeats disagree. */
  flakyTasks: string[];
}

/** Which tests of a run to read: those after a position, at most `limit`, optionally of one status, flip, or flaky tasks only. */
export interface RunTestsQuery {
  afterPosition: number;
  limit: number;
  status?: TestStatus;
  flip?: Flip;
  flaky?: boolean;
}

/** The run (404 unless it is one of the experiment's) and the baseline run it is compared with. */
export async function findRunBesideBaseline(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; runId: string | undefined },
): Promise<RunBesideBaseline> {
  const runId = requireUuid(ids.runId, 'Run');
  const detail = await experimentResultsDetail(context, caller, ids.experimentId);
  const run = detail.runs.find((candidate) => candidate.id === runId);
  if (!run) throw new ExperimentsError('not_found', `Run ${runId} was not found in this experiment.`);
  const baselineRun = run.isBaseline ? null : detail.baselineRun;
  return {
    experiment: detail.experiment,
    run,
    baselineRun,
    comparison: baselineRun ? comparisonOf(detail, baselineRun, run) : null,
    pairedTasks: baselineRun ? pairTasks(detail.tallies.get(baselineRun.id) ?? [], detail.tallies.get(run.id) ?? []).map((pair) => pair.taskId) : [],
    flakyTasks: flakiness(detail.tallies.get(run.id) ?? [], Math.max(run.repeats, 1)).flakyTasks,
  };
}

// The shown run of a variant is compared by the results themselves; an earlier run by the same domain function.
function comparisonOf(detail: ResultsDetail, baselineRun: ResultRun, run: ResultRun): PairedComparison | null {
  const shown = detail.results.variants.find((variant) => variant.runId === run.id);
  return (shown && detail.comparisons.get(shown.variantId)) ?? compareTallies(detail, baselineRun.id, run.id);
}

/** The regressed and improved tasks' flips, from the comparison's own lists. */
export function flipsOf(comparison: PairedComparison | null): Map<string, Flip> {
  const flips = new Map<string, Flip>();
  if (!comparison) return flips;
  for (const task of comparison.regressed) flips.set(task.taskId, 'regressed');
  for (const task of comparison.improved) flips.set(task.taskId, 'improved');
  return flips;
}

/** A page of the run's tests, in dispatch order, each beside its baseline test; `more` when another page follows. */
export async function readRunTests(
  context: PluginContext,
  caller: Caller,
  beside: RunBesideBaseline,
  query: RunTestsQuery,
): Promise<{ rows: RunTestRow[]; more: boolean }> {
  const { comparison } = beside;
  const taskIds = selectedTaskIds(beside, query);
  const rows = await listTestResults(context.db, {
    experimentId: beside.experiment.id,
    runId: beside.run.id,
    baselineRunId: beside.baselineRun?.id ?? null,
    afterPosition: query.afterPosition,
    limit: query.limit,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(taskIds === undefined ? {} : { taskIds }),
  });
  const flips = flipsOf(comparison);
  const paired = new Set(beside.pairedTasks);
  return {
    rows: rows
      .slice(0, query.limit)
      .map((row) => withTraceLinks(context, caller, { ...row, flip: flips.get(row.taskId) ?? (paired.has(row.taskId) ? 'unchanged' : null) })),
    more: rows.length > query.limit,
  };
}

/** The tasks a flip or flaky filter keeps (undefined: every task). */
export function selectedTaskIds(beside: RunBesideBaseline, query: Pick<RunTestsQuery, 'flip' | 'flaky'>): string[] | undefined {
  const { comparison } = beside;
  return query.flip === 'regressed'
    ? (comparison?.regressed ?? []).map((task) => task.taskId)
    : query.flip === 'improved'
      ? (comparison?.improved ?? []).map((task) => task.taskId)
      : query.flip === 'unchanged'
        ? unchangedTasks(comparison, beside.pairedTasks)
        : query.flaky
          ? beside.flakyTasks
          : undefined;
}

// The paired tasks that neither regressed nor improved.
function unchangedTasks(comparison: PairedComparison | null, paired: readonly string[]): string[] {
  if (!comparison) return [];
  const moved = new Set([...comparison.regressed, ...comparison.improved].map((task) => task.taskId));
  return paired.filter((taskId) => !moved.has(taskId));
}

const traceUrl = (context: PluginContext, caller: Caller, traceId: string | null | undefined) =>
  traceId ? context.host.traces.pageUrl(caller.projectId, traceId) : null;

/** A test row with the host's trace pages of its trace and of its baseline test's trace. */
export const withTraceLinks = (context: PluginContext, caller: Caller, row: TestResultRow): RunTestRow => ({
  ...row,
  traceUrl: traceUrl(context, caller, row.traceId),
  baselineTraceUrl: traceUrl(context, caller, row.baseline?.traceId),
});

const sumOrNull = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));

/**
 * The tests of a run beside the baseline's (DESIGN §9 `GET …/runs/:rid/tests`): one page, in dispatch order,
 * filtered by status or flip, with a cursor for the next page.
 */
export async function listRunTests(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; runId: string | undefined },
  query: { limit: number; cursor?: string | undefined; status?: TestStatus | undefined; flip?: Flip | undefined; flaky?: boolean },
) {
  const beside = await findRunBesideBaseline(context, caller, ids);
  const { run, baselineRun } = beside;
  const { rows, more } = await readRunTests(context, caller, beside, {
    afterPosition: query.cursor === undefined ? -1 : decodeTestCursor(query.cursor, run.id),
    limit: query.limit,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.flip === undefined ? {} : { flip: query.flip }),
    ...(query.flaky ? { flaky: true } : {}),
  });
  const items = rows.map((row) => ({
    testId: row.testId,
    taskId: row.taskId,
    taskTitle: row.taskTitle,
    repeat: row.repeat,
    position: row.position,
    attempt: row.attempt,
    status: row.status,
    error: row.error,
    evaluations: row.evaluations,
    output: row.output,
    latencyMs: row.latencyMs,
    tokens: { input: row.inputTokens, output: row.outputTokens, total: sumOrNull(row.inputTokens, row.outputTokens) },
    cost: row.cost,
    overrideMismatches: row.overrideMismatches,
    traceId: row.traceId,
    traceUrl: row.traceUrl,
    notRunReason: row.notRunReason,
    taskPassFraction: row.taskFinished === 0 ? null : row.taskPasses / row.taskFinished,
    baselineTaskPassFraction: row.baselineTask && row.baselineTask.finished > 0 ? row.baselineTask.passes / row.baselineTask.finished : null,
    baseline: row.baseline
      ? { status: row.baseline.status, output: row.baseline.output, testId: row.baseline.testId, traceUrl: row.baselineTraceUrl }
      : null,
    flip: row.flip,
  }));
  const last = items.at(-1);
  return {
    runId: run.id,
    variantId: run.variantId,
    isBaseline: run.isBaseline,
    baselineRunId: baselineRun?.id ?? null,
    items,
    ...(more && last ? { nextCursor: encodeTestCursor(run.id, last.position) } : {}),
  };
}
