import { compareWithBaseline, share, type BaselineComparison, type PairedRun, type TaskRule } from '../domain/comparison.js';
import type { ExperimentConfig } from '../domain/parameters.js';
import { minimumDetectableDifference, wilsonInterval, type Interval } from '../domain/statistics.js';
import { describeChange, effectiveConfig, type ParameterChange } from '../domain/variant-tree.js';
import type { PluginContext } from './plugin-context.js';
import type { Db } from '../store/connect.js';
import type { ExperimentRecord, ExperimentScope } from '../store/experiment-repository.js';
import { emptyFigures, listResultRuns, type ResultRun, type RunFigures, type StepFigures, type TaskFigures } from '../store/results-queries.js';
import { pairSummaries, runSummaries } from '../store/run-summaries.js';
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
  passRate: number | null;
}

/** One variant's entry in the results (DESIGN §8). */
export interface VariantResult {
  variantId: string;
  name: string;
  parentId: string | null;
  isBaseline: boolean;
  change: ParameterChange | null;
  runId: string | null;
  runNumber: number | null;
  status: string | null;
  completedAt: Date | null;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  pending: number;
  noEvaluations: number;
  overrideNotApplied: number;
  passRate: number | null;
  interval: Interval | null;
  vsBaseline: (BaselineComparison & { pairedTasks: number }) | null;
  latency: { p50: number | null; p95: number | null };
  tokens: { input: number | null; output: number | null; total: number | null };
  cost: number | null;
  /** Latency, tokens and cost per inference step, from the traces. */
  steps: Array<{ step: string; tests: number; latency: { p50: number | null; p95: number | null }; tokens: { input: number | null; output: number | null }; cost: number | null }>;
  repeats: number | null;
  taskRule: TaskRule | null;
  tasks: { total: number; passed: number; passRate: number | null } | null;
  consistency?: number | null;
  passFractions?: Array<{ fraction: number; passes: number; tasks: number }>;
  earlierRuns: EarlierRun[];
}

export interface ExperimentResults {
  experimentId: string;
  baselineVariantId: string | null;
  baselineRunId: string | null;
  minimumDetectableDifference: number | null;
  alpha: number;
  variants: VariantResult[];
}


// Comparisons are made against completed runs only; a variant whose latest run failed still shows its last good one.
export const shownRun = (runs: readonly ResultRun[]): ResultRun | null => runs.find((run) => run.status === 'completed') ?? runs[0] ?? null;

function changeOf(variant: VariantRecord, variants: readonly VariantRecord[], baselineConfig: ExperimentConfig): ParameterChange | null {
  if (variant.parentId === null || variant.override === null) return null;
  return describeChange(effectiveConfig(variants, variant.parentId, baselineConfig), variant.override);
}

/** The results of an experiment (DESIGN §8) from its experiment row, for callers that loaded it already. */
export async function loadResults(db: Db, experiment: ExperimentRecord, scope: ExperimentScope): Promise<ExperimentResults> {
  const [variants, runs] = await Promise.all([listVariants(db, scope), listResultRuns(db, scope)]);
  const runsOf = new Map<string, ResultRun[]>();
  for (const run of runs) runsOf.set(run.variantId, [...(runsOf.get(run.variantId) ?? []), run]);
  const shown = variants.map((variant) => ({ variant, run: shownRun(runsOf.get(variant.id) ?? []) }));
  const baseline = shown.find((entry) => entry.variant.isBaseline) ?? null;
  const baselineRun = baseline?.run?.status === 'completed' ? baseline.run : null;
  const comparable = shown.filter((entry) => !entry.variant.isBaseline && entry.run?.status === 'completed').map((entry) => entry.run!.id);

  // Finished runs' figures come from kept summaries; only a running run is counted live.
  const summaries = await runSummaries(db, runs);
  const pairs = baselineRun ? await pairSummaries(db, baselineRun, runs.filter((run) => comparable.includes(run.id))) : new Map<string, never>();
  const figures = new Map([...summaries].map(([id, summary]) => [id, summary.figures]));
  const tasks = new Map([...summaries].flatMap(([id, summary]) => (summary.tasks ? [[id, summary.tasks] as const] : [])));
  const steps = new Map([...summaries].map(([id, summary]) => [id, summary.steps]));
  const baselineFigures = baselineRun ? (figures.get(baselineRun.id) ?? emptyFigures) : null;

  const paired: Array<(PairedRun & { pairs: number }) | null> = shown.map(({ run }) => {
    const counts = run ? pairs.get(run.id) : undefined;
    // No task final in both runs: nothing was compared, so the variant stays out of the Holm family.
    if (!run || !counts || counts.pairs === 0) return null;
    const own = figures.get(run.id) ?? emptyFigures;
    return { passed: own.passed, total: own.total, ...counts };
  });
  const comparisons = baselineFigures ? compareWithBaseline(baselineFigures, paired, alpha) : paired.map(() => null);

  const baselineTasks = baselineRun ? tasks.get(baselineRun.id) : undefined;
  return {
    experimentId: experiment.id,
    baselineVariantId: baseline?.variant.id ?? null,
    baselineRunId: baselineRun?.id ?? null,
    minimumDetectableDifference:
      baselineTasks && baselineTasks.tasks > 0
        ? minimumDetectableDifference(baselineTasks.passed / baselineTasks.tasks, baselineTasks.tasks, alpha)
        : null,
    alpha,
    variants: shown.map(({ variant, run }, index) => {
      const comparison = comparisons[index] ?? null;
      return variantResult({
        variant,
        change: changeOf(variant, variants, experiment.baselineConfig),
        run,
        figures: run ? (figures.get(run.id) ?? emptyFigures) : emptyFigures,
        tasks: run ? (tasks.get(run.id) ?? null) : null,
        steps: run ? (steps.get(run.id) ?? []) : [],
        vsBaseline: comparison ? { ...comparison, pairedTasks: paired[index]!.pairs } : null,
        earlier: (runsOf.get(variant.id) ?? [])
          .filter((other) => other.id !== run?.id)
          .map((other) => earlierRun(other, figures.get(other.id))),
      });
    }),
  };
}

function earlierRun(run: ResultRun, figures: RunFigures | undefined): EarlierRun {
  const own = figures ?? emptyFigures;
  return {
    runId: run.id,
    number: run.number,
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    total: own.total,
    passed: own.passed,
    passRate: share(own.passed, own.total),
  };
}

function variantResult(input: {
  variant: VariantRecord;
  change: ParameterChange | null;
  run: ResultRun | null;
  figures: RunFigures;
  tasks: TaskFigures | null;
  steps: StepFigures[];
  vsBaseline: VariantResult['vsBaseline'];
  earlier: EarlierRun[];
}): VariantResult {
  const { variant, run, figures, tasks } = input;
  const repeated = run !== null && run.repeats > 1;
  return {
    variantId: variant.id,
    name: variant.name,
    parentId: variant.parentId,
    isBaseline: variant.isBaseline,
    change: input.change,
    runId: run?.id ?? null,
    runNumber: run?.number ?? null,
    status: run?.status ?? null,
    completedAt: run?.status === 'completed' ? run.finishedAt : null,
    total: figures.total,
    passed: figures.passed,
    failed: figures.failed,
    errored: figures.errored,
    timedOut: figures.timedOut,
    pending: figures.open,
    noEvaluations: figures.noEvaluations,
    overrideNotApplied: figures.overrideNotApplied,
    passRate: share(figures.passed, figures.total),
    interval: figures.total === 0 ? null : wilsonInterval(figures.passed, figures.total),
    vsBaseline: input.vsBaseline,
    latency: { p50: figures.latencyP50, p95: figures.latencyP95 },
    tokens: { input: figures.inputTokens, output: figures.outputTokens, total: figures.totalTokens },
    cost: figures.cost,
    steps: input.steps.map((step) => ({
      step: step.step,
      tests: step.tests,
      latency: { p50: step.latencyP50, p95: step.latencyP95 },
      tokens: { input: step.inputTokens, output: step.outputTokens },
      cost: step.cost,
    })),
    repeats: run?.repeats ?? null,
    taskRule: run?.taskRule ?? null,
    tasks: tasks ? { total: tasks.tasks, passed: tasks.passed, passRate: share(tasks.passed, tasks.tasks) } : null,
    ...(repeated
      ? {
          consistency: tasks ? share(tasks.consistent, tasks.tasks) : null,
          passFractions: (tasks?.byPasses ?? []).map((entry) => ({
            fraction: entry.passes / entry.repeats,
            passes: entry.passes,
            tasks: entry.tasks,
          })),
        }
      : {}),
    earlierRuns: input.earlier,
  };
}

// --- CSV -------------------------------------------------------------------------------------------------------

/** The results of an experiment of the caller's project (DESIGN §8): what the API returns and the tab shows. */
export async function experimentResults(context: PluginContext, caller: Caller, experimentId: string): Promise<ExperimentResults> {
  const scope = experimentScope(caller, experimentId);
  return loadResults(context.db, await loadExperiment(context.db, scope), scope);
}
