import { holmAdjust, mcnemarExact, verdict, type Verdict } from './statistics.js';

/** How a task's repeats decide whether the task passed: all of them, more than half, or any one. */
export type TaskRule = 'all' | 'majority' | 'any';

/** A run's pass count over its tests. */
export interface PassCount {
  passed: number;
  total: number;
}

/**
 * A run paired with the baseline's run over the same tasks: its own pass count, and the discordant tasks.
 * `regressions` passed in the baseline and failed here (McNemar's b), `improvements` the reverse (c).
 */
export interface PairedRun extends PassCount {
  regressions: number;
  improvements: number;
}

/** How one variant compares with the baseline (DESIGN §8); `points` is in percentage points. */
export interface BaselineComparison {
  relative: number | null;
  points: number;
  regressions: number;
  improvements: number;
  pValue: number;
  pAdjusted: number;
  verdict: Verdict;
}

/**
 * Whether a task passed, given how many of its repeats passed. For display only: comparisons use pass fractions
 * (`comparePaired`), so two runs judged by different rules can no longer look different (issue 14).
 * @example taskPassed('majority', 2, 3) // true
 */
export function taskPassed(rule: TaskRule, passes: number, repeats: number): boolean {
  if (!Number.isInteger(passes) || !Number.isInteger(repeats) || passes < 0 || repeats < 1 || passes > repeats) {
    throw new RangeError(`passes must be a whole number between 0 and repeats (≥ 1), got ${passes} of ${repeats}.`);
  }
  if (rule === 'any') return passes > 0;
  if (rule === 'majority') return 2 * passes > repeats;
  return passes === repeats;
}

/** part ÷ whole as a fraction, or null when there is nothing to divide by. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/**
 * @deprecated Counts tasks passed by a task rule and mixes units when repeats differ (issue 14). Use
 * `comparePaired` (paired-comparison.ts) for each variant and `judgeVariants` (variant-verdicts.ts) across them.
 *
 * Compares each run with the baseline: exact McNemar p-value on its discordant tasks, Holm-adjusted across the
 * runs given (null entries — variants without a comparable run — are left out of the family and stay null).
 * The verdict's direction is that of the paired difference (improvements − regressions), the quantity tested.
 * @example compareWithBaseline({ passed: 28, total: 40 }, [{ passed: 31, total: 40, regressions: 2, improvements: 5 }])
 */
export function compareWithBaseline(
  baseline: PassCount,
  runs: ReadonlyArray<PairedRun | null>,
  alpha = 0.05,
): Array<BaselineComparison | null> {
  const pValues = runs.map((run) => (run === null ? null : mcnemarExact(run.regressions, run.improvements)));
  const tested = pValues.filter((p): p is number => p !== null);
  const adjusted = holmAdjust(tested);
  let next = 0;
  return runs.map((run, index) => {
    const pValue = pValues[index];
    if (run === null || pValue === null || pValue === undefined) return null;
    const pAdjusted = adjusted[next++]!;
    return {
      ...difference(baseline, run),
      regressions: run.regressions,
      improvements: run.improvements,
      pValue,
      pAdjusted,
      verdict: verdict(pAdjusted, run.improvements - run.regressions, alpha),
    };
  });
}

// Cross-multiplied, so 31/40 against 28/40 is 7.5 points exactly rather than 7.500000000000007.
function difference(baseline: PassCount, run: PassCount): { relative: number | null; points: number } {
  if (run.total === 0 || baseline.total === 0) return { relative: null, points: 0 };
  const numerator = run.passed * baseline.total - baseline.passed * run.total;
  return {
    relative: baseline.passed === 0 ? null : numerator / (baseline.passed * run.total),
    points: (100 * numerator) / (run.total * baseline.total),
  };
}
