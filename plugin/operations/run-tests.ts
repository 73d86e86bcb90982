import type { TestStatus } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import type { ExperimentRecord } from '../store/experiment-repository.js';
import { listResultRuns, listTestResults, type Flip, type ResultRun, type TestResultRow } from '../store/results-queries.js';
import type { Caller } from './caller.js';
import { requireUuid } from './ids.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
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
}

/** Which tests of a run to read: those after a position, at most `limit`, optionally of one status or flip. */
export interface RunTestsQuery {
  afterPosition: number;
  limit: number;
  status?: TestStatus;
  flip?: Flip;
}

/** The run (404 unless it is one of the experiment's) and the baseline run it is compared with. */
export async function findRunBesideBaseline(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; runId: string | undefined },
): Promise<RunBesideBaseline> {
  const scope = experimentScope(caller, ids.experimentId);
  const experiment = await loadExperiment(context.db, scope);
  const runId = requireUuid(ids.runId, 'Run');
  const runs = await listResultRuns(context.db, scope);
  const run = runs.find((candidate) => candidate.id === runId);
  if (!run) throw new ExperimentsError('not_found', `Run ${runId} was not found in this experiment.`);
  // Runs are listed newest first within a variant, so the first completed baseline run is the latest.
  const baselineRun = run.isBaseline ? null : (runs.find((candidate) => candidate.isBaseline && candidate.status === 'completed') ?? null);
  return { experiment, run, baselineRun };
}

/** A page of the run's tests, in dispatch order, each beside its baseline test; `more` when another page follows. */
export async function readRunTests(
  context: PluginContext,
  caller: Caller,
  beside: RunBesideBaseline,
  query: RunTestsQuery,
): Promise<{ rows: RunTestRow[]; more: boolean }> {
  const rows = await listTestResults(context.db, {
    experimentId: beside.experiment.id,
    runId: beside.run.id,
    baselineRunId: beside.baselineRun?.id ?? null,
    afterPosition: query.afterPosition,
    limit: query.limit,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.flip === undefined ? {} : { flip: query.flip }),
  });
  return { rows: rows.slice(0, query.limit).map((row) => withTraceLinks(context, caller, row)), more: rows.length > query.limit };
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
  query: { limit: number; cursor?: string | undefined; status?: TestStatus | undefined; flip?: Flip | undefined },
) {
  const beside = await findRunBesideBaseline(context, caller, ids);
  const { run, baselineRun } = beside;
  const { rows, more } = await readRunTests(context, caller, beside, {
    afterPosition: query.cursor === undefined ? -1 : decodeTestCursor(query.cursor, run.id),
    limit: query.limit,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.flip === undefined ? {} : { flip: query.flip }),
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
    taskPassFraction: row.taskPasses / row.taskRepeats,
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
