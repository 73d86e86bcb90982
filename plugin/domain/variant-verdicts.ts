import { holmAdjust, verdict, type Verdict } from './statistics.js';

/** A variant's p-value after Holm's correction across the experiment's variants, and the verdict it gives. */
export interface VariantVerdict {
  pAdjusted: number;
  verdict: Verdict;
}

/**
 * Holm's correction (Holm 1979) across the variants compared with the baseline, then each verdict in the direction
 * of its own paired change. Null entries (variants with nothing to compare) stay out of the family and stay null.
 * Works the same for fixed-size p-values and for the anytime-valid ones of a run that stopped early: both are valid
 * p-values, which is all Holm needs.
 * @example judgeVariants([{ pValue: 0.01, points: 7.5 }, null, { pValue: 0.04, points: -3 }])
 *   // [{ pAdjusted: 0.02, verdict: 'better' }, null, { pAdjusted: 0.04, verdict: 'worse' }]
 */
export function judgeVariants(
  comparisons: ReadonlyArray<{ pValue: number; points: number } | null>,
  alpha = 0.05,
): Array<VariantVerdict | null> {
  const adjusted = holmAdjust(comparisons.filter((c): c is { pValue: number; points: number } => c !== null).map((c) => c.pValue));
  let next = 0;
  return comparisons.map((comparison) => {
    if (comparison === null) return null;
    const pAdjusted = adjusted[next++]!;
    return { pAdjusted, verdict: verdict(pAdjusted, comparison.points, alpha) };
  });
}
