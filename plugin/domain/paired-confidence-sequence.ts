import { LARGEST_BET } from './sequential-test.js';
import type { Interval } from './statistics.js';

/**
 * An anytime-valid 95% interval (a confidence sequence) for the mean per-task difference d = fV − fB ∈ [−1, 1], the
 * interval shown beside the verdict of a run that could stop once decided (issue 15): a fixed-size interval is not
 * valid when the run's size depended on its results; this one covers the true difference with probability ≥ 1 − α at
 * every task at once, so at whatever task the run stopped.
 *
 * The betting confidence sequence of Waudby-Smith & Ramdas ("Estimating means of bounded random variables by
 * betting", J R Stat Soc B 86(1), 2024, arXiv:2010.09686, §4 and Theorem 3): for each candidate mean m, the hedged
 * capital E(m) = (K⁺(m) + K⁻(m)) / 2 with K⁺ = Π(1 + λ⁺(d − m)), K⁻ = Π(1 − λ⁻(d − m)) is a nonnegative martingale
 * when the mean is m, so by Ville's inequality the set of m whose E(m) never reached 1/α covers the truth at all times
 * with probability ≥ 1 − α. The interval at the stopping time is that running intersection.
 *
 * Why this one: at m = 0 it is exactly the betting e-process of domain/sequential-test.ts (the same aGRAPA bet
 * λ = Σ(d − m) / (1 + Σ(d − m)²) over the tasks before, split by sign and truncated at ½ / (1 ± m), which is ½ at 0).
 * So for runs with repeats the interval excludes 0 exactly when the anytime p-value is ≤ α: the interval and the
 * verdict cannot disagree. (Runs of one repeat are decided by the discordant mixture, a different e-process; there
 * the two agree in all but a few borderline runs, docs/benchmarks.md.) The paper's empirical-Bernstein sequence is
 * closed-form but wider, and would not share the test's evidence.
 *
 * The task order must be the order the run sent them in (seeded, random): if the tasks are a random sample of the
 * tasks of interest, so is every prefix, and the covered mean is theirs, as for the fixed-size interval.
 * Candidates are the multiples of 1/`steps` in (−1, 1); the bounds are the outermost candidates not rejected, so the
 * true boundary lies within one step (0.1 point at the default) beyond them. Looked at after every task, with no
 * data the interval is (−1, 1).
 * @example pairedConfidenceSequence(differencesInRunOrder) // { low: 0.031, high: 0.262 }
 */
export function pairedConfidenceSequence(differences: readonly number[], alpha = 0.05, steps = 1000): Interval {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}.`);
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`steps must be a whole number ≥ 2, got ${steps}.`);
  for (const d of differences) if (!(d >= -1 && d <= 1)) throw new RangeError(`A task difference must lie in [−1, 1], got ${d}.`);
  const threshold = -Math.log(alpha);
  let lowest = -(steps - 1);
  while (lowest < steps && peakLogCapital(differences, lowest / steps, threshold) >= threshold) lowest += 1;
  if (lowest === steps) return emptyIntersection(differences, steps);
  let highest = steps - 1;
  while (peakLogCapital(differences, highest / steps, threshold) >= threshold) highest -= 1;
  return { low: lowest / steps, high: highest / steps };
}

/** The largest log E(m) over the tasks so far, stopping early once it reaches `stopAt` (m is then rejected for good). */
function peakLogCapital(differences: readonly number[], m: number, stopAt: number): number {
  const largestUp = LARGEST_BET / (1 + m);
  const largestDown = LARGEST_BET / (1 - m);
  let sum = 0;
  let squares = 0;
  let logUp = 0;
  let logDown = 0;
  let peak = 0;
  for (const d of differences) {
    const x = d - m;
    const bet = sum / (1 + squares);
    logUp += Math.log1p(Math.min(Math.max(bet, 0), largestUp) * x);
    logDown += Math.log1p(-Math.min(Math.max(-bet, 0), largestDown) * x);
    sum += x;
    squares += x * x;
    const larger = Math.max(logUp, logDown);
    peak = Math.max(peak, larger + Math.log((Math.exp(logUp - larger) + Math.exp(logDown - larger)) / 2));
    if (peak >= stopAt) return peak;
  }
  return peak;
}

// Every candidate was rejected at some task: the tasks do not look like draws with one mean (probability ≤ α if they
// are). Rather than an empty interval, the candidate whose capital rose least.
function emptyIntersection(differences: readonly number[], steps: number): Interval {
  let best = 0;
  let bestPeak = Infinity;
  for (let k = -(steps - 1); k < steps; k++) {
    const peak = peakLogCapital(differences, k / steps, Infinity);
    if (peak < bestPeak) [best, bestPeak] = [k / steps, peak];
  }
  return { low: best, high: best };
}
