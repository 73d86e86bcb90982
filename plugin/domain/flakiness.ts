import { assertTally, finishedTasks, type TaskTally } from './task-outcomes.js';

/** What a run's repeats say about how reliably it passes. */
export interface Flakiness {
  k: number;
  /** Estimated chance that k fresh repeats of a random task all pass; null when no task finished k repeats. */
  passHatK: number | null;
  /** Tasks that finished at least k repeats: the ones `passHatK` averages over. */
  tasks: number;
  /** Share of the tasks with two or more finished repeats whose repeats disagree; null when none has two. */
  flakyShare: number | null;
  /** The tasks whose finished repeats disagree, in the order given. */
  flakyTasks: string[];
}

/**
 * The unbiased estimate of pass^k for one task: of its n finished repeats c passed, and C(c, k) / C(n, k) is the
 * chance that k of them drawn without replacement all passed (Yao et al. 2024, "τ-bench", §3). Null when fewer
 * than k finished.
 * @example passHatK(2, 3, 2) // 1/3
 */
export function passHatK(passes: number, finished: number, k: number): number | null {
  assertTally({ taskId: '', passes, finished });
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number ≥ 1, got ${k}.`);
  if (finished < k) return null;
  let ratio = 1;
  for (let i = 0; i < k; i++) ratio *= (passes - i) / (finished - i);
  return Math.max(0, ratio);
}

/** Whether a task's finished repeats disagree (some passed, some did not). */
export function isFlaky(tally: TaskTally): boolean {
  assertTally(tally);
  return tally.passes > 0 && tally.passes < tally.finished;
}

/**
 * A run's pass^k — the mean over tasks of each task's unbiased estimate, as τ-bench computes it — and the share of
 * tasks whose repeats disagree. `k` is usually the run's repeats.
 */
export function flakiness(tallies: readonly TaskTally[], k: number): Flakiness {
  const tasks = finishedTasks(tallies);
  const estimates = tasks.map((t) => passHatK(t.passes, t.finished, k)).filter((e): e is number => e !== null);
  const repeated = tasks.filter((t) => t.finished >= 2);
  const flakyTasks = repeated.filter(isFlaky).map((t) => t.taskId);
  return {
    k,
    passHatK: estimates.length === 0 ? null : estimates.reduce((sum, e) => sum + e, 0) / estimates.length,
    tasks: estimates.length,
    flakyShare: repeated.length === 0 ? null : flakyTasks.length / repeated.length,
    flakyTasks,
  };
}
