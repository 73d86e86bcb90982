import { taskPassRate } from '../domain/clustered-interval.js';
import type { TaskRule } from '../domain/comparison.js';
import { detectableDifference, planningBaseline } from '../domain/detectable-difference.js';
import { isFinalRunStatus, type RunStatus } from '../domain/experiment-status.js';
import { flakiness } from '../domain/flakiness.js';
import { comparePaired, type PairedComparison, type TaskDifference } from '../domain/paired-comparison.js';
import { pairedConfidenceSequence } from '../domain/paired-confidence-sequence.js';
import type { PairedTestMethod } from '../domain/paired-permutation-test.js';
import type { ExperimentConfig, ParameterName } from '../domain/parameters.js';
import type { Interval, Verdict } from '../domain/statistics.js';
import { stopSummary, type StoppedRecord } from '../domain/stop-summary.js';
import type { TaskTally } from '../domain/task-outcomes.js';
import { pairTasks, taskDifference } from '../domain/paired-tasks.js';
import { anytimePValue, sequentialKind, type SequentialKind } from '../domain/sequential-test.js';
import { judgeVariants } from '../domain/variant-verdicts.js';
import { describeChange, effectiveConfig, type ParameterChange } from '../domain/variant-tree.js';
import type { PluginContext } from './plugin-context.js';
import type { Db } from '../store/connect.js';
import type { ExperimentRecord, ExperimentScope } from '../store/experiment-repository.js';
import { emptyFigures, listResultRuns, type ResultRun, type RunFigures } from '../store/results-queries.js';
import { runSummaries, type RunSummary } from '../store/run-summaries.js';
import { listVariants, type VariantRecord } from '../store/variant-repository.js';
import type { Caller } from './caller.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

/** Significance level of the comparisons with the baseline. */
export const alpha = 0.05;

/** A run listed beside the one a variant's results are read from. */
export interface EarlierRun {
  runId: string;
  number: number;
  status: string;
  createdAt: Date;
  finishedAt: Date | null;
  total: number;
  passed: number;
  notRun: number;
  /** Mean over its finished tasks of each task's pass fraction. */
  passRate: number | null;
}

/**
 * A variant against the baseline over the tasks both runs finished (DESIGN §8): every figure from the same per-task
 * pass fractions (domain/paired-comparison.ts), so the change, the verdict and the regressed/improved tasks always
 * agree in direction, whatever repeats or task rule each run used.
 */
export interface BaselineComparison {
  /** Tasks both runs finished: the comparison is over these. */
  pairedTasks: number;
  /** Each run's mean pass fraction over the paired tasks. */
  baselineRate: number;
  variantRate: number;
  /** variantRate − baselineRate in percentage points. */
  points: number;
  /** (variantRate − baselineRate) / baselineRate; null when the baseline passed nothing. */
  relative: number | null;
  /** 95% interval for variantRate − baselineRate, as fractions; of the kind `intervalKind` names. */
  interval: Interval;
  /**
   * `fixed_size` (Newcombe's, for a run of fixed size) or `anytime_valid`: for a run that could stop once decided, a
   * confidence sequence over the tasks in the run's order (domain/paired-confidence-sequence.ts), valid at whatever
   * task the run stopped and excluding 0 exactly when the anytime p-value is ≤ α.
   */
  intervalKind: IntervalKind;
  /** Tasks whose pass fraction fell / rose. */
  regressions: number;
  improvements: number;
  /** Points lost on the regressed tasks and gained on the improved ones: gained − lost = points. */
  pointsLost: number;
  pointsGained: number;
  pValue: number;
  /** Holm-adjusted across the variants compared with the baseline. */
  pAdjusted: number;
  verdict: Verdict;
  /** exact_mcnemar when both runs ran each task once; otherwise the stratified permutation test (exact or normal). */
  method: PairedTestMethod;
  /**
   * Set when the run could stop once decided (issue 15): its p-value (and so the Holm-adjusted one and the verdict) is
   * the anytime-valid one of this sequential test over the tasks in the run's order (domain/sequential-test.ts), valid
   * however the run's size came about; `method`'s fixed-size test would not be. Null for a run of fixed size.
   */
  sequential: SequentialKind | null;
}

/** Which 95% interval a comparison with the baseline shows (see BaselineComparison.intervalKind). */
export type IntervalKind = 'fixed_size' | 'anytime_valid';

/** A run's sequential test, its anytime-valid p-value and its confidence sequence for the difference. */
interface SequentialJudgement {
  kind: SequentialKind;
  pValue: number;
  interval: Interval;
}

/** What a run's repeats say about how reliably it passes (domain/flakiness.ts). */
export interface VariantFlakiness {
  /** The run's repeats per task. */
  k: number;
  /** Chance that k fresh repeats of a task all pass (τ-bench's pass^k); null when no task finished k repeats. */
  passHatK: number | null;
  /** Share of tasks with two or more finished repeats whose repeats disagree; null when none has two. */
  flakyShare: number | null;
  flakyTasks: number;
}

/** One variant's entry in the results (DESIGN §8). */
export interface VariantResult {
  variantId: string;
  name: string;
  parentId: string | null;
  isBaseline: boolean;
  change: ParameterChange | null;
  /** Every parameter the variant's effective configuration sets differently from the baseline's, along its whole branch. */
  changes: ParameterChange[];
  runId: string | null;
  runNumber: number | null;
  status: string | null;
  /** The run is still going: its figures cover the tests finished so far, pending ones left out. */
  partial: boolean;
  completedAt: Date | null;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  /** Tests still to finish (in progress). */
  pending: number;
  /** Tests that never ran (cancelled, stopped early, over budget): shown apart, counted in no figure. */
  notRun: number;
  noEvaluations: number;
  overrideNotApplied: number;
  /** Mean over the run's finished tasks of each task's pass fraction; equals passed ÷ finished tests when each task ran once. */
  passRate: number | null;
  /** 95% interval accounting for repeats of one task being alike (Wilson when each task ran once). */
  interval: Interval | null;
  /** Tasks with at least one finished test, and how many independent tests their repeats are worth. */
  tasks: { finished: number; effectiveTests: number } | null;
  vsBaseline: BaselineComparison | null;
  flakiness: VariantFlakiness | null;
  latency: { p50: number | null; p95: number | null };
  tokens: { input: number | null; output: number | null; total: number | null };
  /** Sum of the known costs; with `costUnknown` > 0 a lower bound, never a zero standing for "unknown". */
  cost: number | null;
  /** Tests with a result whose cost is unknown, and why (e.g. "unknown model llama-3-70b": not in the price table). */
  costUnknown: number;
  costNotes: string[];
  /** Latency, tokens and cost per inference step, from the traces. */
  steps: Array<{
    step: string;
    tests: number;
    latency: { p50: number | null; p95: number | null };
    tokens: { input: number | null; output: number | null };
    cost: number | null;
    costUnknown: number;
    costNotes: string[];
  }>;
  /** Why the shown run stopped sending before every test went out (decided, or its spend cap), with its sentence. */
  stopped: (StoppedRecord & { summary: string }) | null;
  repeats: number | null;
  /** The rule the run was started with; shown, but no figure uses it: runs are compared on pass fractions. */
  taskRule: TaskRule | null;
  earlierRuns: EarlierRun[];
}

/** The smallest change the experiment detects at 80% power (domain/detectable-difference.ts), as fractions. */
export interface ResultsDetectableDifference {
  improvement: number | null;
  regression: number | null;
  tasks: number;
  /** Variants in the Holm family the figure allows for. */
  variants: number;
}

export interface ExperimentResults {
  experimentId: string;
  baselineVariantId: string | null;
  baselineRunId: string | null;
  detectableDifference: ResultsDetectableDifference | null;
  alpha: number;
  variants: VariantResult[];
}

/** The results and what they were computed from, for the pages that list tasks (breakdown, Compare). */
export interface ResultsDetail {
  results: ExperimentResults;
  /** Every run of the experiment, each variant's newest first. */
  runs: ResultRun[];
  /** Per run id: its per-task tallies. */
  tallies: Map<string, TaskTally[]>;
  /** Per variant id: its full paired comparison with the baseline (task lists included), when it has one. */
  comparisons: Map<string, PairedComparison>;
  baselineRun: ResultRun | null;
}

// Comparisons are made against completed runs only; a variant whose latest run failed still shows its last good one.
export const shownRun = (runs: readonly ResultRun[]): ResultRun | null => runs.find((run) => run.status === 'completed') ?? runs[0] ?? null;

// The net difference of a variant's effective configuration from the baseline's: a grandchild shows its parent's
// change too, and a parameter changed twice along the branch shows once, from the baseline's value to the last.
function changesFromBaseline(variant: VariantRecord, variants: readonly VariantRecord[], baselineConfig: ExperimentConfig): ParameterChange[] {
  if (variant.parentId === null) return [];
  const effective = effectiveConfig(variants, variant.id, baselineConfig);
  return Object.entries(effective).flatMap(([step, parameters]) =>
    Object.entries(parameters)
      .filter(([parameter, value]) => baselineConfig[step]?.[parameter as ParameterName] !== value)
      .map(([parameter, value]) => ({ step, parameter: parameter as ParameterName, from: baselineConfig[step]?.[parameter as ParameterName] ?? null, to: value! })),
  );
}

function changeOf(variant: VariantRecord, variants: readonly VariantRecord[], baselineConfig: ExperimentConfig): ParameterChange | null {
  if (variant.parentId === null || variant.override === null) return null;
  return describeChange(effectiveConfig(variants, variant.parentId, baselineConfig), variant.override);
}

/**
 * The one results pipeline (issue 14): every figure the API, the experiment page, Compare, the breakdown, CSV and
 * Markdown show is computed here, from each run's per-task tallies. A variant's pass rate is the mean of its task
 * pass fractions with the clustered interval; it is compared with the baseline's latest completed run over the tasks
 * both finished (exact McNemar when both ran each task once, the stratified permutation test otherwise), with an
 * interval for the difference; verdicts are Holm-adjusted across the compared variants; repeats give pass^k and the
 * share of flaky tasks. Pending and not-run tests count in no figure.
 */
export async function computeResults(db: Db, experiment: ExperimentRecord, scope: ExperimentScope): Promise<ResultsDetail> {
  const [variants, runs] = await Promise.all([listVariants(db, scope), listResultRuns(db, scope)]);
  const runsOf = new Map<string, ResultRun[]>();
  for (const run of runs) runsOf.set(run.variantId, [...(runsOf.get(run.variantId) ?? []), run]);
  const shown = variants.map((variant) => ({ variant, run: shownRun(runsOf.get(variant.id) ?? []) }));
  const baseline = shown.find((entry) => entry.variant.isBaseline) ?? null;
  const baselineRun = baseline?.run?.status === 'completed' ? baseline.run : null;

  // Finished runs' tallies come from kept summaries; only a running run is counted live.
  const summaries = await runSummaries(db, runs);
  const summaryOf = (run: ResultRun | null): RunSummary | null => (run ? (summaries.get(run.id) ?? null) : null);
  const baselineTallies = summaryOf(baselineRun)?.tallies ?? null;

  const paired: Array<PairedComparison | null> = shown.map(({ variant, run }) =>
    variant.isBaseline || run?.status !== 'completed' || baselineTallies === null ? null : comparePaired(baselineTallies, summaryOf(run)?.tallies ?? []),
  );
  // A run that could stop once decided is judged by the anytime-valid p-value of its tasks in the order it sent them,
  // and shows the confidence sequence that matches it.
  const sequential = shown.map(({ run }, index): SequentialJudgement | null => {
    if (!paired[index] || !run?.stopWhenDecided || !baselineRun || baselineTallies === null) return null;
    const kind = sequentialKind(baselineRun.repeats, run.repeats);
    const pairs = pairsInRunOrder(baselineTallies, summaryOf(run)?.tallies ?? []);
    return { kind, pValue: anytimePValue(kind, pairs), interval: pairedConfidenceSequence(kind, pairs.map(taskDifference), alpha) };
  });
  const verdicts = judgeVariants(
    paired.map((comparison, index) => (comparison ? { pValue: sequential[index]?.pValue ?? comparison.pValue, points: comparison.points } : null)),
    alpha,
  );

  const comparisons = new Map<string, PairedComparison>();
  shown.forEach(({ variant }, index) => {
    if (paired[index]) comparisons.set(variant.id, paired[index]!);
  });
  const tallies = new Map([...summaries].map(([id, summary]) => [id, summary.tallies]));

  const results: ExperimentResults = {
    experimentId: experiment.id,
    baselineVariantId: baseline?.variant.id ?? null,
    baselineRunId: baselineRun?.id ?? null,
    detectableDifference: baselineRun ? resultsDetectable(baselineTallies ?? [], baselineRun.repeats, Math.max(1, variants.length - 1)) : null,
    alpha,
    variants: shown.map(({ variant, run }, index) => {
      const comparison = paired[index] ?? null;
      const judged = verdicts[index] ?? null;
      return variantResult({
        variant,
        change: changeOf(variant, variants, experiment.baselineConfig),
        changes: changesFromBaseline(variant, variants, experiment.baselineConfig),
        run,
        summary: summaryOf(run),
        vsBaseline: comparison && judged ? baselineComparison(comparison, judged.pAdjusted, judged.verdict, sequential[index] ?? null) : null,
        earlier: (runsOf.get(variant.id) ?? []).filter((other) => other.id !== run?.id).map((other) => earlierRun(other, summaries.get(other.id))),
      });
    }),
  };
  return { results, runs, tallies, comparisons, baselineRun };
}

/** The results of an experiment (DESIGN §8) from its experiment row, for callers that loaded it already. */
export async function loadResults(db: Db, experiment: ExperimentRecord, scope: ExperimentScope): Promise<ExperimentResults> {
  return (await computeResults(db, experiment, scope)).results;
}

// The pairs both runs finished, in the order the variant's run sent its tasks (its tallies come in that order).
function pairsInRunOrder(baseline: readonly TaskTally[], variant: readonly TaskTally[]) {
  const position = new Map(variant.map((tally, index) => [tally.taskId, index]));
  return pairTasks(baseline, variant).sort((a, b) => position.get(a.taskId)! - position.get(b.taskId)!);
}

function baselineComparison(
  comparison: PairedComparison,
  pAdjusted: number,
  verdict: Verdict,
  sequential: SequentialJudgement | null,
): BaselineComparison {
  return {
    pairedTasks: comparison.tasks,
    baselineRate: comparison.baselineRate,
    variantRate: comparison.variantRate,
    points: comparison.points,
    relative: comparison.relative,
    interval: sequential?.interval ?? comparison.interval,
    intervalKind: sequential ? 'anytime_valid' : 'fixed_size',
    regressions: comparison.regressed.length,
    improvements: comparison.improved.length,
    pointsLost: comparison.pointsLost,
    pointsGained: comparison.pointsGained,
    pValue: sequential?.pValue ?? comparison.pValue,
    pAdjusted,
    verdict,
    method: comparison.method,
    sequential: sequential?.kind ?? null,
  };
}

// From the baseline's own results: its pass rate and how often its repeats disagree, Holm over the variants planned.
function resultsDetectable(baselineTallies: readonly TaskTally[], repeats: number, variants: number): ResultsDetectableDifference | null {
  const known = planningBaseline(baselineTallies);
  const tasks = baselineTallies.filter((tally) => tally.finished > 0).length;
  if (!known || tasks === 0) return null;
  const found = detectableDifference({ ...known, tasks, repeats, baselineRepeats: repeats, variants, alpha });
  return { ...found, tasks, variants };
}

function earlierRun(run: ResultRun, summary: RunSummary | undefined): EarlierRun {
  const own = summary?.figures ?? emptyFigures;
  return {
    runId: run.id,
    number: run.number,
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    total: own.total,
    passed: own.passed,
    notRun: own.notRun,
    passRate: taskPassRate(summary?.tallies ?? [])?.passRate ?? null,
  };
}

function variantResult(input: {
  variant: VariantRecord;
  change: ParameterChange | null;
  changes: ParameterChange[];
  run: ResultRun | null;
  summary: RunSummary | null;
  vsBaseline: BaselineComparison | null;
  earlier: EarlierRun[];
}): VariantResult {
  const { variant, run } = input;
  const figures: RunFigures = input.summary?.figures ?? emptyFigures;
  const tallies = input.summary?.tallies ?? [];
  const rate = taskPassRate(tallies);
  const flaky = run ? flakiness(tallies, run.repeats) : null;
  return {
    variantId: variant.id,
    name: variant.name,
    parentId: variant.parentId,
    isBaseline: variant.isBaseline,
    change: input.change,
    changes: input.changes,
    runId: run?.id ?? null,
    runNumber: run?.number ?? null,
    status: run?.status ?? null,
    partial: run !== null && !isFinalRunStatus(run.status as RunStatus),
    completedAt: run?.status === 'completed' ? run.finishedAt : null,
    total: figures.total,
    passed: figures.passed,
    failed: figures.failed,
    errored: figures.errored,
    timedOut: figures.timedOut,
    pending: figures.open,
    notRun: figures.notRun,
    noEvaluations: figures.noEvaluations,
    overrideNotApplied: figures.overrideNotApplied,
    passRate: rate?.passRate ?? null,
    interval: rate?.interval ?? null,
    tasks: rate ? { finished: rate.tasks, effectiveTests: rate.effectiveTests } : null,
    vsBaseline: input.vsBaseline,
    flakiness: flaky ? { k: flaky.k, passHatK: flaky.passHatK, flakyShare: flaky.flakyShare, flakyTasks: flaky.flakyTasks.length } : null,
    latency: { p50: figures.latencyP50, p95: figures.latencyP95 },
    tokens: { input: figures.inputTokens, output: figures.outputTokens, total: figures.totalTokens },
    cost: figures.cost,
    // Kept summaries from before these figures lack them: read as none unknown until recomputed.
    costUnknown: figures.costUnknown ?? 0,
    costNotes: figures.costNotes ?? [],
    steps: (input.summary?.steps ?? []).map((step) => ({
      step: step.step,
      tests: step.tests,
      latency: { p50: step.latencyP50, p95: step.latencyP95 },
      tokens: { input: step.inputTokens, output: step.outputTokens },
      cost: step.cost,
      costUnknown: step.costUnknown ?? 0,
      costNotes: step.costNotes ?? [],
    })),
    stopped: run?.stopped ? { ...run.stopped, summary: stopSummary(run.stopped) } : null,
    repeats: run?.repeats ?? null,
    taskRule: run?.taskRule ?? null,
    earlierRuns: input.earlier,
  };
}

/**
 * A run against another over the tasks both finished, by the same domain function the results use; for the
 * breakdown of a run that is not a variant's shown one. Null when no task was finished by both.
 */
export function compareTallies(detail: ResultsDetail, referenceRunId: string, runId: string): PairedComparison | null {
  return comparePaired(detail.tallies.get(referenceRunId) ?? [], detail.tallies.get(runId) ?? []);
}

export type { PairedComparison, TaskDifference };

/** The results of an experiment of the caller's project (DESIGN §8): what the API returns and the tab shows. */
export async function experimentResults(context: PluginContext, caller: Caller, experimentId: string): Promise<ExperimentResults> {
  const scope = experimentScope(caller, experimentId);
  return loadResults(context.db, await loadExperiment(context.db, scope), scope);
}

/** The results with the per-task detail, for the breakdown and Compare. */
export async function experimentResultsDetail(context: PluginContext, caller: Caller, experimentId: string | undefined): Promise<ResultsDetail & { experiment: ExperimentRecord }> {
  const scope = experimentScope(caller, experimentId);
  const experiment = await loadExperiment(context.db, scope);
  return { ...(await computeResults(context.db, experiment, scope)), experiment };
}
