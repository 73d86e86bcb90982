import { assertTally, type TaskTally } from './task-outcomes.js';

/** One task as both runs finished it. */
export interface PairedTask {
  taskId: string;
  baseline: TaskTally;
  variant: TaskTally;
}

/**
 * The tasks both runs finished (at least one finished repeat each), in the baseline's order: every comparison with
 * the baseline is made over these and nothing else, so a task one run never finished cannot look like a flip.
 */
export function pairTasks(baseline: readonly TaskTally[], variant: readonly TaskTally[]): PairedTask[] {
  const variantById = new Map<string, TaskTally>();
  for (const tally of variant) {
    assertTally(tally);
    if (variantById.has(tally.taskId)) throw new RangeError(`Task ${tally.taskId} is tallied twice in the variant's run.`);
    variantById.set(tally.taskId, tally);
  }
  const seen = new Set<string>();
  const pairs: PairedTask[] = [];
  for (const tally of baseline) {
    assertTally(tally);
    if (seen.has(tally.taskId)) throw new RangeError(`Task ${tally.taskId} is tallied twice in the baseline's run.`);
    seen.add(tally.taskId);
    const other = variantById.get(tally.taskId);
    if (other && tally.finished > 0 && other.finished > 0) pairs.push({ taskId: tally.taskId, baseline: tally, variant: other });
  }
  return pairs;
}

/** The variant's pass fraction minus the baseline's on one task, in [−1, 1]. */
export function taskDifference(pair: PairedTask): number {
  return pair.variant.passes / pair.variant.finished - pair.baseline.passes / pair.baseline.finished;
}
