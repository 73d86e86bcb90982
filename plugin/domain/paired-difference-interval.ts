import { taskPassRate } from './clustered-interval.js';
import type { PairedTask } from './paired-tasks.js';
import { Z_95, type Interval } from './statistics.js';

/**
 * A 95% interval for the variant's pass rate minus the baseline's over the tasks both finished (fractions, −1 to 1).
 *
 * Newcombe's square-and-add interval for paired proportions (Newcombe 1998, "Improved confidence intervals for the
 * difference between binomial proportions based on paired data", Stat Med 17:2635–2650, method 10), which
 * Fagerland, Lydersen & Laake (2014, Stat Med 33:2850–2875) recommend: the difference of the two rates, widened by
 * each rate's Wilson interval and narrowed by their correlation. It is an instance of MOVER (Zou & Donner 2008, Stat
 * Med 27:1693–1706), which needs only a good interval for each rate and their correlation; so with repeats the same
 * construction takes each rate's task-level interval (`taskPassRate`) and the correlation of the tasks' pass
 * fractions. When every task ran once in both runs it is exactly Newcombe's interval, including his shrinking of a
 * positive correlation by 1/(2n) (the covariance form of his (AD − BC − N/2) / √(…)). Null when no task was paired.
 */
export function pairedDifferenceInterval(pairs: readonly PairedTask[], z: number = Z_95): Interval | null {
  const count = pairs.length;
  if (count === 0) return null;
  const variant = taskPassRate(pairs.map((pair) => pair.variant), z)!;
  const baseline = taskPassRate(pairs.map((pair) => pair.baseline), z)!;
  const v = variant.passRate;
  const b = baseline.passRate;

  let covariance = 0;
  let varianceV = 0;
  let varianceB = 0;
  for (const pair of pairs) {
    const dv = pair.variant.passes / pair.variant.finished - v;
    const db = pair.baseline.passes / pair.baseline.finished - b;
    covariance += dv * db;
    varianceV += dv * dv;
    varianceB += db * db;
  }
  covariance /= count;
  varianceV /= count;
  varianceB /= count;
  const shrunk = covariance > 1 / (2 * count) ? covariance - 1 / (2 * count) : covariance < 0 ? covariance : 0;
  const correlation = varianceV > 0 && varianceB > 0 ? shrunk / Math.sqrt(varianceV * varianceB) : 0;

  const difference = v - b;
  const below = Math.sqrt(squareAndAdd(v - variant.interval.low, baseline.interval.high - b, correlation));
  const above = Math.sqrt(squareAndAdd(variant.interval.high - v, b - baseline.interval.low, correlation));
  return { low: Math.max(-1, difference - below), high: Math.min(1, difference + above) };
}

// x² − 2ρxy + y² is never negative for |ρ| ≤ 1; the max only guards the last bit of rounding.
function squareAndAdd(x: number, y: number, correlation: number): number {
  return Math.max(0, x * x - 2 * correlation * x * y + y * y);
}
