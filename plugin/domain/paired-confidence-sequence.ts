import { LARGEST_BET, logMixture, MIXTURE_PRIOR, type SequentialKind } from './sequential-test.js';
import type { Interval } from './statistics.js';

/**
 * An anytime-valid 95% interval (a confidence sequence) for the mean per-task difference d = fV − fB ∈ [−1, 1], the
 * interval shown beside the verdict of a run that could stop once decided (issue 15): a fixed-size interval is not
 * valid when the run's size depended on its results; this one covers the true difference with probability ≥ 1 − α at
 * every task at once, so at whatever task the run stopped.
 *
 * It inverts a family of tests of "the mean is m" built like the run's own sequential test (domain/sequential-test.ts),
 * so that at m = 0 it IS that test: the interval excludes 0 exactly when the anytime p-value is ≤ α, and the interval
 * and the verdict cannot disagree. Each is a nonnegative martingale when the mean is m, so by Ville's inequality the
 * set of m whose evidence never reached 1/α covers the truth at all times with probability ≥ 1 − α (Waudby-Smith &
 * Ramdas, "Estimating means of bounded random variables by betting", J R Stat Soc B 86(1), 2024, arXiv:2010.09686);
 * the interval at the stopping time is that running intersection. Both families are products of bets 1 + λ(d − m),
 * fair when the mean is m and never negative for d in [−1, 1]:
 * - `betting` (repeats): their hedged capital (K⁺(m) + K⁻(m)) / 2 with the aGRAPA bet λ = Σ(d − m) / (1 + Σ(d − m)²)
 *   over the tasks before, split by sign and truncated at ½ / (1 ± m) (½ at 0, as in the test).
 * - `discordant_mixture` (one repeat each): ∫ Π(1 + λₘ(d − m)) dπ(λ) with λ = 2θ − 1, θ ~ Beta(4, 4), and λₘ = λ / (1 ± m)
 *   (sign of λ) so no factor goes negative. At m = 0 the factors are 2θ, 2(1 − θ) and 1, and the integral is the test's
 *   mixture SPRT on discordant tasks in closed form; elsewhere it is taken by Gauss–Legendre quadrature.
 * The paper's empirical-Bernstein sequence is closed-form but wider, and it would not share the test's evidence, so at
 * the moment a run stops on its decision the two would often disagree about 0.
 *
 * The task order must be the order the run sent them in (seeded, random): if the tasks are a random sample of the
 * tasks of interest, so is every prefix, and the covered mean is theirs, as for the fixed-size interval.
 * Candidates are the multiples of 1/`steps` in (−1, 1), searched inward from both ends, coarsely and then one
 * by one; the bounds are the outermost candidates not rejected, so the true boundary lies within one step (0.1
 * point at the default) beyond them. With no task the interval is (−1, 1).
 * @example pairedConfidenceSequence('betting', differencesInRunOrder) // { low: 0.067, high: 0.267 }
 */
export function pairedConfidenceSequence(kind: SequentialKind, differences: readonly number[], alpha = 0.05, steps = 1000): Interval {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}.`);
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`steps must be a whole number ≥ 2, got ${steps}.`);
  for (const d of differences) {
    if (!(d >= -1 && d <= 1)) throw new RangeError(`A task difference must lie in [−1, 1], got ${d}.`);
    if (kind === 'discordant_mixture' && d !== -1 && d !== 0 && d !== 1) throw new RangeError(`With one repeat each a task difference is −1, 0 or 1, got ${d}.`);
  }
  const threshold = -Math.log(alpha);
  const peak = kind === 'betting' ? (m: number, stopAt: number) => bettingPeak(differences, m, stopAt) : (m: number, stopAt: number) => mixturePeak(differences, m, stopAt);
  const kept = (k: number) => peak(k / steps, threshold) < threshold;
  const low = outermostKept(kept, -(steps - 1), steps - 1, 1, steps);
  if (low === null) return emptyIntersection(peak, steps);
  return { low: low / steps, high: outermostKept(kept, steps - 1, low, -1, steps)! / steps };
}

// The first candidate from `from` towards `to` that is kept: on a grid a hundredth of the range apart first, then one
// by one back over the last stretch. (A kept stretch narrower than that lying wholly outside would be missed, as any
// grid misses what falls between its points.)
function outermostKept(kept: (k: number) => boolean, from: number, to: number, direction: 1 | -1, steps: number): number | null {
  const stride = Math.max(1, Math.floor(steps / 100));
  let rejected = from - direction;
  for (let k = from; direction * k <= direction * to; k += direction * stride) {
    if (kept(k)) {
      for (let fine = rejected + direction; fine !== k; fine += direction) if (kept(fine)) return fine;
      return k;
    }
    rejected = k;
  }
  for (let fine = rejected + direction; direction * fine <= direction * to; fine += direction) if (kept(fine)) return fine;
  return null;
}

/** The largest log E(m) of the hedged aGRAPA capital so far, stopping once it reaches `stopAt` (m is rejected for good). */
function bettingPeak(differences: readonly number[], m: number, stopAt: number): number {
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
    peak = Math.max(peak, logMeanExp2(logUp, logDown));
    if (peak >= stopAt) return peak;
  }
  return peak;
}

/**
 * The largest log E(m) of the Beta(4, 4) mixture of constant bets so far, stopping once it reaches `stopAt`; below
 * `stopAt` it may fall short of the peak (it only says that `stopAt` was not reached), so pass Infinity for the peak.
 */
function mixturePeak(differences: readonly number[], m: number, stopAt: number): number {
  let peak = 0;
  if (m === 0) {
    let regressions = 0;
    let improvements = 0;
    for (const d of differences) {
      if (d > 0) improvements += 1;
      if (d < 0) regressions += 1;
      peak = Math.max(peak, logMixture(regressions, improvements));
      if (peak >= stopAt) return peak;
    }
    return peak;
  }
  // Per node: log of the factor 1 + λₘ(d − m) for d = 1, −1 and 0, accumulated task by task.
  const count = MIXTURE_NODES.length;
  const factors = { 1: new Float64Array(count), [-1]: new Float64Array(count), 0: new Float64Array(count) };
  for (let j = 0; j < count; j++) {
    const lambda = MIXTURE_NODES[j]!.lambda;
    const bet = lambda / (1 + Math.sign(lambda) * m);
    factors[1][j] = Math.log1p(bet * (1 - m));
    factors[-1][j] = Math.log1p(bet * (-1 - m));
    factors[0][j] = Math.log1p(-bet * m);
  }
  const logCapital = MIXTURE_NODES.map((node) => node.logWeight);
  for (const d of differences) {
    const factor = factors[d as 1 | -1 | 0];
    let largest = -Infinity;
    for (let j = 0; j < count; j++) {
      logCapital[j]! += factor[j]!;
      if (logCapital[j]! > largest) largest = logCapital[j]!;
    }
    // The sum is at most count × the largest term: only when that could reach `stopAt` is it worth adding up.
    if (largest + Math.log(count) < stopAt) continue;
    let total = 0;
    for (let j = 0; j < count; j++) total += Math.exp(logCapital[j]! - largest);
    peak = Math.max(peak, largest + Math.log(total));
    if (peak >= stopAt) return peak;
  }
  return peak;
}

const logMeanExp2 = (a: number, b: number) => {
  const larger = Math.max(a, b);
  return larger + Math.log((Math.exp(a - larger) + Math.exp(b - larger)) / 2);
};

/**
 * Quadrature of the mixture over λ ∈ (−1, 0) and (0, 1), 48 Gauss–Legendre nodes each, weighted by the density of
 * λ = 2θ − 1 for θ ~ Beta(a, a): (1 − λ²)^(a−1) / (2^(2a−1) B(a, a)).
 */
const MIXTURE_NODES: ReadonlyArray<{ lambda: number; logWeight: number }> = (() => {
  const a = MIXTURE_PRIOR;
  const { nodes, weights } = gaussLegendre(48);
  const logBetaAA = 2 * logGammaWhole(a) - logGammaWhole(2 * a);
  const out: Array<{ lambda: number; logWeight: number }> = [];
  for (const [lowEnd, highEnd] of [[-1, 0], [0, 1]] as const) {
    nodes.forEach((x, i) => {
      const lambda = lowEnd + ((x + 1) / 2) * (highEnd - lowEnd);
      const density = (a - 1) * Math.log(1 - lambda * lambda) - (2 * a - 1) * Math.LN2 - logBetaAA;
      out.push({ lambda, logWeight: Math.log(weights[i]! / 2) + density });
    });
  }
  return out;
})();

// log Γ(n) of a whole number: log (n − 1)!.
function logGammaWhole(n: number): number {
  let sum = 0;
  for (let i = 2; i < n; i++) sum += Math.log(i);
  return sum;
}

/** Nodes and weights of n-point Gauss–Legendre quadrature on [−1, 1], by Newton's method on P_n. */
function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let previous = 1;
      let current = x;
      for (let k = 2; k <= n; k++) [previous, current] = [current, ((2 * k - 1) * x * current - (k - 1) * previous) / k];
      derivative = (n * (x * current - previous)) / (x * x - 1);
      const step = current / derivative;
      x -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    nodes.push(x);
    weights.push(2 / ((1 - x * x) * derivative * derivative));
  }
  return { nodes, weights };
}

// Every candidate was rejected at some task: the tasks do not look like draws with one mean (probability ≤ α if they
// are). Rather than an empty interval, the candidate whose evidence rose least.
function emptyIntersection(peak: (m: number, stopAt: number) => number, steps: number): Interval {
  let best = 0;
  let bestPeak = Infinity;
  for (let k = -(steps - 1); k < steps; k++) {
    const candidate = peak(k / steps, Infinity);
    if (candidate < bestPeak) [best, bestPeak] = [k / steps, candidate];
  }
  return { low: best, high: best };
}
