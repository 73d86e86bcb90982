import type { PairedComparison } from '../domain/paired-comparison.js';
import type { PairedTestMethod } from '../domain/paired-permutation-test.js';
import type { Interval } from '../domain/statistics.js';
import { taskTitles } from '../store/results-queries.js';
import type { Caller } from './caller.js';
import { compareTallies, experimentResultsDetail, type VariantResult } from './experiment-results.js';
import type { PluginContext } from './plugin-context.js';

/** How many flipped tasks each list shows. */
const listedFlips = 50;

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
  regressions: number;
  improvements: number;
  pValue: number;
  /** Holm-adjusted as in the results when A or B is the baseline; null otherwise (the family is the comparisons with the baseline). */
  pAdjusted: number | null;
  method: PairedTestMethod;
}

/** Two variants side by side: their figures, the paired comparison over the tasks both ran, and the tasks that moved. */
export interface VariantComparison {
  experiment: { id: string; name: string };
  /** Every variant that has a run to compare. */
  options: Array<{ variantId: string; name: string }>;
  a: CompareSide | null;
  b: CompareSide | null;
  pair: ComparePair | null;
  /** Tasks that passed more often with A than with B, the largest fall first. */
  regressed: FlippedTask[];
  improved: FlippedTask[];
  moreRegressed: boolean;
  moreImproved: boolean;
}

/**
 * Compares variant `a` with variant `b` of one of the caller's experiments, each by its shown run (the latest
 * completed, else the latest); without a choice, the first two variants that have a run. Every figure is the results
 * pipeline's: the sides are the variants' entries of the results, and B against A is the results' comparison with the
 * baseline when A is the baseline (the same p-values, Holm included), else the same domain function over A's and B's
 * tallies.
 */
export async function compareVariants(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  choice: { a?: string | undefined; b?: string | undefined },
): Promise<VariantComparison> {
  const detail = await experimentResultsDetail(context, caller, experimentId);
  const { experiment, results } = detail;
  const candidates = results.variants.filter((variant): variant is CompareSide => variant.runId !== null);
  const pick = (id: string | undefined, fallback: number) =>
    candidates.find((entry) => entry.variantId === id?.toLowerCase()) ?? candidates[fallback] ?? null;
  const a = pick(choice.a, 0);
  const b = pick(choice.b, 1);
  const base: VariantComparison = {
    experiment: { id: experiment.id, name: experiment.name },
    options: candidates.map((variant) => ({ variantId: variant.variantId, name: variant.name })),
    a,
    b,
    pair: null,
    regressed: [],
    improved: [],
    moreRegressed: false,
    moreImproved: false,
  };
  if (!a || !b) return base;

  let comparison: PairedComparison | null;
  let pAdjusted: number | null = null;
  if (a.isBaseline && b.vsBaseline) {
    comparison = detail.comparisons.get(b.variantId) ?? null;
    pAdjusted = b.vsBaseline.pAdjusted;
  } else {
    comparison = compareTallies(detail, a.runId, b.runId);
    // The test is symmetric: B against the baseline has the p-value of the baseline against B.
    if (b.isBaseline && a.vsBaseline) pAdjusted = a.vsBaseline.pAdjusted;
  }
  if (!comparison) return base;
  const listed = [...comparison.regressed.slice(0, listedFlips), ...comparison.improved.slice(0, listedFlips)];
  const titles = await taskTitles(context.db, experiment.id, listed.map((task) => task.taskId));
  const flipped = (tasks: PairedComparison['regressed']): FlippedTask[] =>
    tasks.slice(0, listedFlips).map((task) => ({ taskId: task.taskId, title: titles.get(task.taskId) ?? null, a: task.baseline, b: task.variant }));
  return {
    ...base,
    pair: {
      tasks: comparison.tasks,
      points: comparison.points,
      relative: comparison.relative,
      interval: comparison.interval,
      regressions: comparison.regressed.length,
      improvements: comparison.improved.length,
      pValue: comparison.pValue,
      pAdjusted,
      method: comparison.method,
    },
    regressed: flipped(comparison.regressed),
    improved: flipped(comparison.improved),
    moreRegressed: comparison.regressed.length > listedFlips,
    moreImproved: comparison.improved.length > listedFlips,
  };
}
