import { wilsonInterval, Z_95, type Interval } from './statistics.js';
import { finishedTasks, type TaskTally } from './task-outcomes.js';

/** A run's pass rate over tasks, with its 95% interval. */
export interface TaskPassRate {
  /** Mean over finished tasks of each task's pass fraction. */
  passRate: number;
  interval: Interval;
  /** Tasks with at least one finished repeat. */
  tasks: number;
  /** Finished tests over those tasks. */
  tests: number;
  /** How many independent tests the repeats are worth (Korn & Graubard's effective sample size), tasks ≤ it ≤ tests. */
  effectiveTests: number;
}

/**
 * The pass rate of a run as the mean of its tasks' pass fractions, with an interval that treats the task, not the
 * test, as the unit drawn: repeats of one task are correlated, so counting them as independent tests gave intervals
 * that covered 76% of the time with 3 repeats (issue 14).
 *
 * The interval is Wilson's at the effective sample size n_eff = p̂(1 − p̂) / V̂, where V̂ is the between-task variance
 * of the mean, Σ(fᵢ − p̂)² / T² (Korn & Graubard 1998, "Confidence intervals for proportions with small expected
 * number of positive counts estimated from survey data", Survey Methodology 24:193–201). With one repeat per task
 * every fᵢ is 0 or 1, V̂ = p̂(1 − p̂)/T and n_eff = T, so it is exactly the Wilson interval. As Korn & Graubard do,
 * n_eff is capped at the number of tests (the design cannot be worth more than independent tests), and taken as the
 * number of tests when V̂ or p̂(1 − p̂) is 0. Coverage is checked by simulation in statistics-simulation.test.ts.
 * Null when no task finished.
 * @example taskPassRate([{ taskId: 'a', passes: 2, finished: 3 }, { taskId: 'b', passes: 3, finished: 3 }])
 */
export function taskPassRate(tallies: readonly TaskTally[], z: number = Z_95): TaskPassRate | null {
  const tasks = finishedTasks(tallies);
  const count = tasks.length;
  if (count === 0) return null;
  const fractions = tasks.map((task) => task.passes / task.finished);
  const tests = tasks.reduce((sum, task) => sum + task.finished, 0);
  const passRate = mean(fractions);
  const varianceOfMean = fractions.reduce((sum, f) => sum + (f - passRate) ** 2, 0) / (count * count);
  const binomialVariance = passRate * (1 - passRate);
  const effectiveTests =
    varianceOfMean > 0 && binomialVariance > 0 ? Math.min(tests, binomialVariance / varianceOfMean) : tests;
  return { passRate, interval: wilsonAt(passRate, effectiveTests, z), tasks: count, tests, effectiveTests };
}

/**
 * Wilson's interval for a rate observed over `n` (not necessarily whole) independent tests; at whole counts it is
 * `wilsonInterval(rate · n, n)`.
 */
export function wilsonAt(rate: number, n: number, z: number = Z_95): Interval {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`A rate must be between 0 and 1, got ${rate}.`);
  if (!(n > 0)) throw new RangeError(`A sample size must be positive, got ${n}.`);
  const passed = rate * n;
  // Whole counts go through the tested formula so the two never drift apart.
  if (Number.isInteger(n) && Math.abs(passed - Math.round(passed)) < 1e-9) return wilsonInterval(Math.round(passed), n, z);
  const z2 = z * z;
  const centre = (rate + z2 / (2 * n)) / (1 + z2 / n);
  const margin = (z / (1 + z2 / n)) * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n));
  return { low: rate === 0 ? 0 : Math.max(0, centre - margin), high: rate === 1 ? 1 : Math.min(1, centre + margin) };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
