import binomcoefln from '@stdlib/math-base-special-binomcoefln';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { taskDifference, type PairedTask } from './paired-tasks.js';
import { mcnemarExact } from './statistics.js';

/** How the p-value was computed: exact McNemar (every task ran once in both runs), the exact permutation distribution, or its normal approximation. */
export type PairedTestMethod = 'exact_mcnemar' | 'exact_permutation' | 'normal_approximation';

/** A two-sided p-value for "the variant and the baseline pass each task equally often", and how it was computed. */
export interface PairedTestResult {
  pValue: number;
  method: PairedTestMethod;
}

/**
 * Above this many multiply-adds the exact distribution gives way to the normal one: about 10 ms of CPU at most, and
 * by then hundreds of tasks vary, where the normal approximation is accurate (checked against the exact one in the
 * tests).
 */
export const EXACT_WORK_LIMIT = 2_000_000;

/**
 * Two-sided paired test of the variant against the baseline over the tasks both finished, on the statistic the
 * headline shows: the sum over tasks of (variant's pass fraction − baseline's).
 *
 * It is a stratified permutation test (the exact conditional test of a 2×2×K table, Agresti, "Categorical Data
 * Analysis", 3rd ed., §6.7.5; Birch 1964): if the two configurations behave alike, the nB + nV finished repeats of
 * a task are exchangeable, so given the task's total passes c the variant's share of them is hypergeometric, whatever
 * the task's own pass probability and whatever nB and nV are — so it is exact with any repeat counts, including
 * different ones in the two runs, where the sign-flip test on per-task differences is not (those differences are
 * not symmetric under the null when nB ≠ nV). When every task ran once in both runs only the discordant tasks vary,
 * each a fair coin, and the test is exactly McNemar's exact test (checked in the tests); that case uses
 * `mcnemarExact` directly. Otherwise the distribution is built exactly by convolution over the integer-scaled
 * differences, or, past `EXACT_WORK_LIMIT`, by its normal approximation with the exact conditional mean (0) and
 * variance and a continuity correction. The two-sided p-value doubles the smaller tail, as statsmodels' exact
 * McNemar does.
 */
export function pairedPermutationTest(pairs: readonly PairedTask[], workLimit = EXACT_WORK_LIMIT): PairedTestResult {
  if (pairs.every((pair) => pair.baseline.finished === 1 && pair.variant.finished === 1)) {
    let regressions = 0;
    let improvements = 0;
    for (const pair of pairs) {
      const d = taskDifference(pair);
      if (d < 0) regressions += 1;
      else if (d > 0) improvements += 1;
    }
    return { pValue: mcnemarExact(regressions, improvements), method: 'exact_mcnemar' };
  }
  const strata = pairs.map(stratum).filter((s) => s.low < s.high);
  if (strata.length === 0) return { pValue: 1, method: 'exact_permutation' };

  const scale = strata.reduce((l, s) => lcm(lcm(l, s.nB), s.nV), 1);
  if (Number.isSafeInteger(scale)) {
    const weights = strata.map((s) => scale / s.nV + scale / s.nB);
    const unit = weights.reduce(gcd);
    const steps = weights.map((w) => w / unit);
    let width = 0;
    let work = 0;
    strata.forEach((s, i) => {
      width += (s.high - s.low) * steps[i]!;
      work += (width + 1) * (s.high - s.low + 1);
    });
    if (work <= workLimit) return { pValue: exactPValue(strata, steps, width), method: 'exact_permutation' };
  }
  return { pValue: normalPValue(strata, Number.isSafeInteger(scale) ? scale : null), method: 'normal_approximation' };
}

interface Stratum {
  nB: number;
  nV: number;
  /** Passes in both runs together. */
  total: number;
  /** The variant's passes, observed. */
  observed: number;
  /** The fewest and most passes the variant could have had, given the total. */
  low: number;
  high: number;
}

function stratum(pair: PairedTask): Stratum {
  const nB = pair.baseline.finished;
  const nV = pair.variant.finished;
  const total = pair.baseline.passes + pair.variant.passes;
  return { nB, nV, total, observed: pair.variant.passes, low: Math.max(0, total - nB), high: Math.min(total, nV) };
}

// The variant's passes x on a task move the statistic by x·(1/nV + 1/nB); scaled by the lcm of the repeat counts
// and divided by the common factor, each task's contribution is a whole number of steps, so the distribution of the
// sum is a convolution over integers. Only the band holding mass above 1e-300 is kept: the far tails would
// otherwise sink into subnormal numbers, which cost a hundred times more to multiply and change no p-value.
function exactPValue(strata: readonly Stratum[], steps: readonly number[], width: number): number {
  let distribution = new Float64Array(width + 1);
  distribution[0] = 1;
  let first = 0;
  let last = 0;
  let observed = 0;
  for (let i = 0; i < strata.length; i++) {
    const s = strata[i]!;
    const step = steps[i]!;
    const next = new Float64Array(width + 1);
    let probability = hypergeometric(s.low, s);
    for (let x = s.low; x <= s.high; x++) {
      const shift = (x - s.low) * step;
      for (let u = first; u <= last; u++) next[u + shift]! += distribution[u]! * probability;
      // P(x + 1) / P(x) for the hypergeometric: one multiplication instead of three log-binomials.
      probability *= ((s.total - x) * (s.nV - x)) / ((x + 1) * (s.nB - s.total + x + 1));
    }
    last += (s.high - s.low) * step;
    while (first < last && next[first]! < NEGLIGIBLE) next[first++] = 0;
    while (last > first && next[last]! < NEGLIGIBLE) next[last--] = 0;
    observed += (s.observed - s.low) * step;
    distribution = next;
  }
  let lower = 0;
  let upper = 0;
  for (let u = first; u <= last; u++) {
    if (u <= observed) lower += distribution[u]!;
    if (u >= observed) upper += distribution[u]!;
  }
  return Math.min(1, 2 * Math.min(lower, upper));
}

const NEGLIGIBLE = 1e-300;

function normalPValue(strata: readonly Stratum[], scale: number | null): number {
  let statistic = 0;
  let variance = 0;
  for (const s of strata) {
    const m = s.nB + s.nV;
    const weight = 1 / s.nV + 1 / s.nB;
    const share = s.total / m;
    statistic += s.observed * weight - s.total / s.nB;
    variance += s.nV * share * (1 - share) * ((m - s.nV) / (m - 1)) * weight * weight;
  }
  // Half the spacing of the statistic's lattice, when it has a common one.
  const correction = scale === null ? 0 : latticeSpacing(strata, scale) / 2;
  const z = Math.max(0, Math.abs(statistic) - correction) / Math.sqrt(variance);
  return Math.min(1, 2 * normalCdf(-z, 0, 1));
}

function latticeSpacing(strata: readonly Stratum[], scale: number): number {
  return strata.map((s) => scale / s.nV + scale / s.nB).reduce(gcd) / scale;
}

function hypergeometric(x: number, s: Stratum): number {
  return Math.exp(binomcoefln(s.total, x) + binomcoefln(s.nB + s.nV - s.total, s.nV - x) - binomcoefln(s.nB + s.nV, s.nV));
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}
