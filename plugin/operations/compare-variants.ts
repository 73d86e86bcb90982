import type { PairedComparison } from '../domain/paired-comparison.js';
import type { PairedTestMethod } from '../domain/paired-permutation-test.js';
import type { SequentialKind } from '../domain/sequential-test.js';
import type { Interval } from '../domain/statistics.js';
import type { TaskTally } from '../domain/task-outcomes.js';
import { evaluatorTotals } from '../store/evaluator-totals.js';
import { listTestResults, taskTitles } from '../store/results-queries.js';
import type { Caller } from './caller.js';
import { compareTallies, experimentResultsDetail, type IntervalKind, type ResultsDetail, type VariantResult } from './experiment-results.js';
import type { PluginContext } from './plugin-context.js';
import { withTraceLinks, type RunTestRow } from './run-tests.js';

/** How many flipped tasks each list shows. */
const listedFlips = 50;
/** How many tasks the outcome matrix lists. */
const matrixRows = 200;
/** How many repeats of the chosen task each side shows. */
const shownRepeats = 10;

/** One side of a comparison: a variant's entry of the results, as the results table shows it. */
export type CompareSide = VariantResult & { runId: string; runNumber: number; status: string };

/** A task whose pass fraction differs between A and B. */
export interface FlippedTask {
  taskId: string;
  title: string | null;
  /** Pass fractions with A and with B. */
  a: number;
  b: number;
}

/** B against A over the tasks both runs finished, by the results pipeline. */
export interface ComparePair {
  tasks: number;
  /** B − A in percentage points, and relative to A. */
  points: number;
  relative: number | null;
  interval: Interval;
  /** As in the results: `anytime_valid` when one side is the baseline and the other's run could stop once decided. */
  intervalKind: IntervalKind;
  regressions: number;
  improvements: number;
  pValue: number;
  /** Holm-adjusted as in the results when A or B is the baseline; null otherwise (the family is the comparisons with the baseline). */
  pAdjusted: number | null;
  method: PairedTestMethod;
  /** Set when B against the baseline (or A) is the results' anytime-valid sequential test: p and the verdict are its, not `method`'s. */
  sequential: SequentialKind | null;
}

/** A task's finished repeats and passes in one side's run; null when the run has no test of it. */
export type MatrixCell = { passes: number; finished: number } | null;

/** One task across the chosen variants, in their order. */
export interface MatrixRow {
  taskId: string;
  title: string | null;
  cells: MatrixCell[];
  /** The chosen variants did not all pass it equally often. */
  differs: boolean;
}

/** Per-task outcomes across the chosen variants: the tasks they disagree on, or all of them. */
export interface OutcomeMatrix {
  rows: MatrixRow[];
  /** Tasks any chosen run has, and of those, the ones the variants disagree on. */
  tasks: number;
  differing: number;
  /** Every task is listed, not only the differing ones. */
  all: boolean;
  /** More rows matched than are listed. */
  more: boolean;
}

/** One evaluator's passes and fails in each chosen variant's run (null: it judged none of that run's tests). */
export interface EvaluatorRow {
  evaluator: string;
  cells: Array<{ passed: number; failed: number; other: number } | null>;
}

/** A chosen task's tests in each chosen variant's run, outputs and evaluator verdicts included. */
export interface TaskOutputs {
  taskId: string;
  title: string | null;
  sides: RunTestRow[][];
}

/** Variants side by side: their figures, per-task outcomes, per-evaluator totals and, for a chosen task, the outputs. */
export interface VariantComparison {
  experiment: { id: string; name: string };
  /** Every variant that has a run to compare. */
  options: Array<{ variantId: string; name: string }>;
  /** Why the choice was refused (the same variant twice, an unknown one, fewer than two); nothing is compared then. */
  refused: string | null;
  /** The chosen variants, in the order chosen. */
  sides: CompareSide[];
  /** The known variants the request named, each once: what the form shows ticked, refused or not. */
  ticked: string[];
  /** The first two chosen, for the paired comparison of B against A. */
  a: CompareSide | null;
  b: CompareSide | null;
  pair: ComparePair | null;
  /** Each chosen variant after the first against the first, over the tasks both finished. */
  againstFirst: Array<ComparePair | null>;
  /** Tasks that passed more often with A than with B, the largest fall first. */
  regressed: FlippedTask[];
  improved: FlippedTask[];
  moreRegressed: boolean;
  moreImproved: boolean;
  matrix: OutcomeMatrix | null;
  evaluators: EvaluatorRow[];
  outputs: TaskOutputs | null;
}

/** What to compare: variant ids (any number, each once), every task or only differing ones, and a task to open. */
export interface CompareChoice {
  variantIds: readonly string[];
  allTasks?: boolean;
  taskId?: string | undefined;
}

function refusalOf(candidates: readonly CompareSide[], ids: readonly string[]): string | null {
  const wanted = ids.map((id) => id.toLowerCase());
  const twice = wanted.find((id, index) => wanted.indexOf(id) !== index);
  if (twice !== undefined) {
    const name = candidates.find((entry) => entry.variantId === twice)?.name;
    return `A variant cannot be compared with itself: ${name ? `“${name}”` : twice} is chosen twice. Choose two or more different variants.`;
  }
  const unknown = wanted.find((id) => !candidates.some((entry) => entry.variantId === id));
  // Echoed as text (escaped by the view), cut short: the id comes from the address.
  if (unknown !== undefined) return `There is no variant ${unknown.length > 40 ? `${unknown.slice(0, 39)}…` : unknown} with a run in this experiment. Choose among the variants listed.`;
  if (wanted.length === 1) return 'Choose at least two variants to compare.';
  return null;
}

function pairOf(detail: ResultsDetail, a: CompareSide, b: CompareSide): { comparison: PairedComparison | null; pair: ComparePair | null } {
  let comparison: PairedComparison | null;
  // Against the baseline, the results' own test: a run that could stop once decided is judged by its sequential test
  // and shown with its anytime-valid interval (turned round when the baseline is B).
  let judged: VariantResult['vsBaseline'] = null;
  let baselineIsB = false;
  if (a.isBaseline && b.vsBaseline) {
    comparison = detail.comparisons.get(b.variantId) ?? null;
    judged = b.vsBaseline;
  } else {
    comparison = compareTallies(detail, a.runId, b.runId);
    // The test is symmetric: B against the baseline has the p-value of the baseline against B.
    if (b.isBaseline && a.vsBaseline) {
      judged = a.vsBaseline;
      baselineIsB = true;
    }
  }
  if (!comparison) return { comparison: null, pair: null };
  const anytime = judged?.intervalKind === 'anytime_valid' ? judged.interval : null;
  const anytimeInterval = anytime && baselineIsB ? { low: -anytime.high, high: -anytime.low } : anytime;
  return {
    comparison,
    pair: {
      tasks: comparison.tasks,
      points: comparison.points,
      relative: comparison.relative,
      interval: anytimeInterval ?? comparison.interval,
      intervalKind: anytimeInterval ? 'anytime_valid' : 'fixed_size',
      regressions: comparison.regressed.length,
      improvements: comparison.improved.length,
      pValue: judged?.pValue ?? comparison.pValue,
      pAdjusted: judged?.pAdjusted ?? null,
      method: comparison.method,
      sequential: judged?.sequential ?? null,
    },
  };
}

// Tasks in the order the runs list them; a cell is the task's tally in that side's run.
function matrixRowsOf(tallies: ReadonlyArray<readonly TaskTally[]>): Array<Omit<MatrixRow, 'title'>> {
  const bySide = tallies.map((list) => new Map(list.map((tally) => [tally.taskId, tally])));
  const order = [...new Set(tallies.flatMap((list) => list.map((tally) => tally.taskId)))];
  return order.map((taskId) => {
    const cells: MatrixCell[] = bySide.map((side) => {
      const tally = side.get(taskId);
      return tally ? { passes: tally.passes, finished: tally.finished } : null;
    });
    const fractions = cells.map((cell) => (cell && cell.finished > 0 ? cell.passes / cell.finished : null));
    const known = fractions.filter((value): value is number => value !== null);
    return { taskId, cells, differs: known.length > 1 && known.some((value) => value !== known[0]) };
  });
}

/**
 * Compares any number of variants of one of the caller's experiments, each by its shown run (the latest completed,
 * else the latest); without a choice, the first two variants that have a run. The same variant twice, an unknown
 * one or a single one is refused with a reason. Every figure is the results pipeline's: the sides are the variants'
 * entries of the results, and B against A is the results' comparison with the baseline when A is the baseline (the
 * same p-values, Holm included), else the same domain function over A's and B's tallies.
 */
export async function compareVariants(context: PluginContext, caller: Caller, experimentId: string | undefined, choice: CompareChoice): Promise<VariantComparison> {
  const detail = await experimentResultsDetail(context, caller, experimentId);
  const { experiment, results } = detail;
  const candidates = results.variants.filter((variant): variant is CompareSide => variant.runId !== null);
  const refused = choice.variantIds.length > 0 ? refusalOf(candidates, choice.variantIds) : null;
  const sides =
    refused !== null
      ? []
      : choice.variantIds.length > 0
        ? choice.variantIds.map((id) => candidates.find((entry) => entry.variantId === id.toLowerCase())!)
        : candidates.slice(0, 2);
  const base: VariantComparison = {
    experiment: { id: experiment.id, name: experiment.name },
    options: candidates.map((variant) => ({ variantId: variant.variantId, name: variant.name })),
    refused,
    sides,
    ticked: sides.length > 0 ? sides.map((side) => side.variantId) : candidates.filter((entry) => choice.variantIds.some((id) => id.toLowerCase() === entry.variantId)).map((entry) => entry.variantId),
    a: sides[0] ?? null,
    b: sides[1] ?? null,
    pair: null,
    againstFirst: [],
    regressed: [],
    improved: [],
    moreRegressed: false,
    moreImproved: false,
    matrix: null,
    evaluators: [],
    outputs: null,
  };
  if (sides.length < 2) return base;
  const [a, b] = sides as [CompareSide, CompareSide];

  const pairs = sides.slice(1).map((side) => pairOf(detail, a, side));
  const { comparison, pair } = pairs[0]!;

  const allRows = matrixRowsOf(sides.map((side) => detail.tallies.get(side.runId) ?? []));
  const matching = choice.allTasks ? allRows : allRows.filter((row) => row.differs);
  const listedRows = matching.slice(0, matrixRows);
  const listedFlipTasks = comparison ? [...comparison.regressed.slice(0, listedFlips), ...comparison.improved.slice(0, listedFlips)] : [];
  const chosenTask = choice.taskId !== undefined && allRows.some((row) => row.taskId === choice.taskId) ? choice.taskId : undefined;
  const [titles, totals, outputs] = await Promise.all([
    taskTitles(context.db, experiment.id, [...new Set([...listedRows.map((row) => row.taskId), ...listedFlipTasks.map((task) => task.taskId), ...(chosenTask ? [chosenTask] : [])])]),
    evaluatorTotals(context.db, sides.map((side) => side.runId)),
    chosenTask
      ? Promise.all(
          sides.map((side) =>
            listTestResults(context.db, { experimentId: experiment.id, runId: side.runId, baselineRunId: null, afterPosition: -1, limit: shownRepeats, taskIds: [chosenTask] }),
          ),
        )
      : Promise.resolve(null),
  ]);

  const evaluatorNames = [...new Set(totals.map((total) => total.evaluator))];
  const flipped = (tasks: PairedComparison['regressed']): FlippedTask[] =>
    tasks.slice(0, listedFlips).map((task) => ({ taskId: task.taskId, title: titles.get(task.taskId) ?? null, a: task.baseline, b: task.variant }));
  return {
    ...base,
    a,
    b,
    pair,
    againstFirst: pairs.map((entry) => entry.pair),
    regressed: comparison ? flipped(comparison.regressed) : [],
    improved: comparison ? flipped(comparison.improved) : [],
    moreRegressed: (comparison?.regressed.length ?? 0) > listedFlips,
    moreImproved: (comparison?.improved.length ?? 0) > listedFlips,
    matrix: {
      rows: listedRows.map((row) => ({ ...row, title: titles.get(row.taskId) ?? null })),
      tasks: allRows.length,
      differing: allRows.filter((row) => row.differs).length,
      all: choice.allTasks === true,
      more: matching.length > listedRows.length,
    },
    evaluators: evaluatorNames.map((evaluator) => ({
      evaluator,
      cells: sides.map((side) => {
        const total = totals.find((entry) => entry.runId === side.runId && entry.evaluator === evaluator);
        return total ? { passed: total.passed, failed: total.failed, other: total.other } : null;
      }),
    })),
    outputs:
      chosenTask && outputs
        ? { taskId: chosenTask, title: titles.get(chosenTask) ?? null, sides: outputs.map((rows) => rows.slice(0, shownRepeats).map((row) => withTraceLinks(context, caller, row))) }
        : null,
  };
}
