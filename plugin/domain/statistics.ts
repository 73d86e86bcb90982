/** A confidence interval on a proportion, as fractions. */
export interface Interval {
  low: number;
  high: number;
}

/** How a variant compares with the baseline once the p-value is corrected. */
export type Verdict = 'better' | 'worse' | 'no_difference';

/**
 * z for a two-sided 95% interval: the 0.975 normal quantile to double precision (scipy.stats.norm.ppf(0.975)),
 * not the rounded 1.959964, which shifted every bound by about 1e-8.
 */
export const Z_95 = 1.959963984540054;

/** Wilson score interval for `passed` out of `total`, e.g. `wilsonInterval(31, 40)` → `{ low: 0.625, high: 0.877 }`. */
export function wilsonInterval(passed: number, total: number, z: number = Z_95): Interval {
  assertCount(passed, 'passed');
  assertCount(total, 'total');
  if (passed > total) throw new RangeError(`passed (${passed}) cannot exceed total (${total}).`);
  if (total === 0) return { low: 0, high: 1 };
  const rate = passed / total;
  const z2 = z * z;
  const centre = (rate + z2 / (2 * total)) / (1 + z2 / total);
  const margin = (z / (1 + z2 / total)) * Math.sqrt((rate * (1 - rate)) / total + z2 / (4 * total * total));
  // The bounds are exactly 0 and 1 at the extremes; rounding must not push them past.
  return {
    low: passed === 0 ? 0 : Math.max(0, centre - margin),
    high: passed === total ? 1 : Math.min(1, centre + margin),
  };
}

/**
 * Two-sided exact McNemar p-value: `b` and `c` are the discordant pairs (baseline passed / variant failed and the
 * reverse). Summed in log space so it stays accurate for thousands of pairs.
 */
export function mcnemarExact(b: number, c: number): number {
  assertCount(b, 'b');
  assertCount(c, 'c');
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // log P(X = i) for X ~ Binomial(n, 1/2), built up term by term; the terms grow up to i = k ≤ n/2.
  const logTerms: number[] = [-n * Math.LN2];
  for (let i = 0; i < k; i++) logTerms.push(logTerms[i]! + Math.log(n - i) - Math.log(i + 1));
  const largest = logTerms[k]!;
  const tail = Math.exp(largest) * logTerms.reduce((sum, t) => sum + Math.exp(t - largest), 0);
  return Math.min(1, 2 * tail);
}

/** Holm–Bonferroni adjusted p-values, in the order given. */
export function holmAdjust(pValues: readonly number[]): number[] {
  for (const p of pValues) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`A p-value must be between 0 and 1, got ${p}.`);
  }
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}

/** `better` / `worse` when the adjusted p-value is at most `alpha` (statsmodels' rejection rule), by the sign of `points`. */
export function verdict(pAdjusted: number | null, points: number, alpha = 0.05): Verdict {
  if (pAdjusted === null || !(pAdjusted <= alpha) || points === 0) return 'no_difference';
  return points > 0 ? 'better' : 'worse';
}

/**
 * The p-th percentile (p in 0–100) by linear interpolation between closest ranks — Hyndman & Fan type 7, the
 * default of numpy.percentile and Excel's PERCENTILE.INC. Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`A percentile must be between 0 and 100, got ${p}.`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

/**
 * @deprecated Optimistic: its figure gives the exact McNemar test a power of about 0.3–0.5, not 0.8, and ignores
 * Holm (issue 14). Use `detectableDifference` from `detectable-difference.ts`.
 *
 * The smallest change in pass rate (a fraction) that `n` paired tasks can reliably detect; null when n is 0.
 *
 * One-sample normal approximation around the baseline rate p:
 *   MDD = (z(1 − α/2) + z(power)) · √(p(1 − p) / n),
 * floored at k/n, where k = ⌈log2(2/α)⌉ is the fewest discordant pairs, all one way, that the exact two-sided
 * McNemar test can call significant (the normal term alone would claim 0 at p = 0 or 1). Capped at 1.
 */
export function minimumDetectableDifference(baselineRate: number, n: number, alpha = 0.05, power = 0.8): number | null {
  if (!(baselineRate >= 0 && baselineRate <= 1)) throw new RangeError(`A rate must be between 0 and 1, got ${baselineRate}.`);
  if (!(alpha > 0 && alpha < 1) || !(power > 0 && power < 1)) throw new RangeError('alpha and power must be between 0 and 1.');
  assertCount(n, 'n');
  if (n === 0) return null;
  const normal = (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * Math.sqrt((baselineRate * (1 - baselineRate)) / n);
  const exactFloor = Math.ceil(Math.log2(2 / alpha)) / n;
  return Math.min(1, Math.max(normal, exactFloor));
}

/** (rate − baseRate) / baseRate, e.g. 0.775 vs 0.7 → 0.107; null when the base is 0. */
export function relativeChange(rate: number, baseRate: number): number | null {
  if (baseRate === 0) return null;
  return (rate - baseRate) / baseRate;
}

/** The standard normal quantile (inverse CDF), Wichura's AS 241 (PPND16), accurate to about 1e-16. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`A probability must be strictly between 0 and 1, got ${p}.`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_NUMERATOR, r)) / polynomial(CENTRAL_DENOMINATOR, r);
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const x =
    r <= 5
      ? polynomial(NEAR_NUMERATOR, r - 1.6) / polynomial(NEAR_DENOMINATOR, r - 1.6)
      : polynomial(FAR_NUMERATOR, r - 5) / polynomial(FAR_DENOMINATOR, r - 5);
  return q < 0 ? -x : x;
}

// AS 241 coefficients, lowest power first.
const CENTRAL_NUMERATOR = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987, 67265.7709270087, 33430.57558358813,
  2509.0809287301227,
];
const CENTRAL_DENOMINATOR = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271, 28729.085735721943, 5226.495278852546,
];
const NEAR_NUMERATOR = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684, 0.2417807251774506,
  0.022723844989269184, 0.0007745450142783414,
];
const NEAR_DENOMINATOR = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457, 0.0005475938084995345,
  1.0507500716444169e-9,
];
const FAR_NUMERATOR = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124, 0.0012426609473880784,
  2.7115555687434876e-5, 2.0103343992922881e-7,
];
const FAR_DENOMINATOR = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133, 1.8463183175100548e-5, 1.421511758316446e-7,
  2.0442631033899397e-15,
];

function polynomial(coefficients: readonly number[], x: number): number {
  return coefficients.reduceRight((sum, c) => sum * x + c, 0);
}

function assertCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}.`);
}
