import { pairedDifferenceInterval } from './paired-difference-interval.js';
import { pairedPermutationTest, type PairedTestMethod } from './paired-permutation-test.js';
import { pairTasks, taskDifference } from './paired-tasks.js';
import { Z_95, type Interval } from './statistics.js';
import type { TaskTally } from './task-outcomes.js';

/** One task whose pass fraction moved between the baseline and the variant. */
export interface TaskDifference {
  taskId: string;
  baseline: number;
  variant: number;
  /** variant − baseline, −1 to 1. */
  difference: number;
}

/** A variant against the baseline over the tasks both finished (DESIGN §8), before Holm. */
export interface PairedComparison {
  /** Tasks both runs finished. */
  tasks: number;
  /** Mean pass fraction over those tasks. */
  baselineRate: number;
  variantRate: number;
  /** variantRate − baselineRate in percentage points: the mean of the per-task differences × 100. */
  points: number;
  /** (variantRate − baselineRate) / baselineRate; null when the baseline passed nothing. */
  relative: number | null;
  /** 95% interval for variantRate − baselineRate, as fractions. */
  interval: Interval;
  /** Tasks whose fraction fell, the largest fall first, and those whose fraction rose, the largest rise first. */
  regressed: TaskDifference[];
  improved: TaskDifference[];
  /** Points lost on the regressed tasks and gained on the improved ones: gained − lost = points. */
  pointsLost: number;
  pointsGained: number;
  pValue: number;
  method: PairedTestMethod;
}

/**
 * Compares a variant's run with the baseline's on the tasks both finished. Every figure comes from the same per-task
 * differences of pass fractions, so the headline (`points`, `relative`), the flip lists (their weights add up to
 * `points`) and the test (whose statistic is the sum of those differences) always point the same way; repeats and
 * task rules never mix units. Null when no task was finished by both runs.
 * @example comparePaired(baselineTallies, variantTallies)?.points // 7.5
 */
export function comparePaired(baseline: readonly TaskTally[], variant: readonly TaskTally[], z: number = Z_95): PairedComparison | null {
  const pairs = pairTasks(baseline, variant);
  if (pairs.length === 0) return null;
  const rows = pairs.map((pair) => ({
    taskId: pair.taskId,
    baseline: pair.baseline.passes / pair.baseline.finished,
    variant: pair.variant.passes / pair.variant.finished,
    difference: taskDifference(pair),
  }));
  const count = rows.length;
  const sumOf = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
  const regressed = rows.filter((row) => row.difference < 0).sort((a, b) => a.difference - b.difference);
  const improved = rows.filter((row) => row.difference > 0).sort((a, b) => b.difference - a.difference);
  const baselineSum = sumOf(rows.map((row) => row.baseline));
  const differenceSum = sumOf(rows.map((row) => row.difference));
  const { pValue, method } = pairedPermutationTest(pairs);
  return {
    tasks: count,
    baselineRate: baselineSum / count,
    variantRate: sumOf(rows.map((row) => row.variant)) / count,
    points: (100 * differenceSum) / count,
    relative: baselineSum === 0 ? null : differenceSum / baselineSum,
    interval: pairedDifferenceInterval(pairs, z)!,
    regressed,
    improved,
    pointsLost: (-100 * sumOf(regressed.map((row) => row.difference))) / count,
    pointsGained: (100 * sumOf(improved.map((row) => row.difference))) / count,
    pValue,
    method,
  };
}
