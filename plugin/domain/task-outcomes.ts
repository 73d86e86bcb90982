import { isFinalTestStatus, type TestStatus } from './experiment-status.js';

/** One test of a run as the statistics see it: `not_run` is a test that was never sent (cancelled, stopped early, over budget). */
export interface TestOutcome {
  taskId: string;
  repeat: number;
  status: TestStatus | 'not_run';
}

/**
 * A task's result in one run (DESIGN §8: the task is the unit of analysis): how many of its repeats finished and how
 * many of those passed. Errored and timed-out tests finished without passing; pending and never-sent ones count
 * nowhere, so a task with `finished` 0 is not part of any figure.
 */
export interface TaskTally {
  taskId: string;
  passes: number;
  finished: number;
}

/** A run's tests by what became of them; `inProgress` and `notRun` are shown apart and count in no rate. */
export interface TestCounts {
  finished: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  inProgress: number;
  notRun: number;
}

/**
 * Each task's passes over its finished repeats, in the order the tasks first appear. Tasks none of whose tests
 * finished are kept with `finished` 0, so callers can show them as not run.
 * @example tallyTasks([{ taskId: 'a', repeat: 0, status: 'passed' }, { taskId: 'a', repeat: 1, status: 'pending' }])
 *   // [{ taskId: 'a', passes: 1, finished: 1 }]
 */
export function tallyTasks(tests: readonly TestOutcome[]): TaskTally[] {
  const tallies = new Map<string, TaskTally>();
  const seen = new Set<string>();
  for (const test of tests) {
    if (!Number.isInteger(test.repeat) || test.repeat < 0) {
      throw new RangeError(`A repeat must be a whole number ≥ 0, got ${test.repeat} for task ${test.taskId}.`);
    }
    // A test's result is written once per run × task × repeat; a second one would count a repeat twice.
    const key = JSON.stringify([test.taskId, test.repeat]);
    if (seen.has(key)) throw new RangeError(`Task ${test.taskId} has repeat ${test.repeat} twice.`);
    seen.add(key);
    const tally = tallies.get(test.taskId) ?? { taskId: test.taskId, passes: 0, finished: 0 };
    tallies.set(test.taskId, tally);
    if (test.status !== 'not_run' && isFinalTestStatus(test.status)) {
      tally.finished += 1;
      if (test.status === 'passed') tally.passes += 1;
    }
  }
  return [...tallies.values()];
}

/**
 * One task of a run as the stopping decision sees it, in the run's order: its finished repeats, their passes, and
 * whether any of its tests is still open (sent or to be sent, no result yet). The store computes these with one
 * aggregate query (store/run-stopping.ts `runTasksInOrder`); `tasksInOrder` computes the same from a list of tests.
 */
export interface TaskInOrder extends TaskTally {
  open: boolean;
}

/** The run's tasks in the order their tests are sent, tallied as the stopping decision reads them. */
export function tasksInOrder(tests: readonly TestOutcome[]): TaskInOrder[] {
  const open = new Set(tests.filter((test) => test.status !== 'not_run' && !isFinalTestStatus(test.status)).map((test) => test.taskId));
  return tallyTasks(tests).map((tally) => ({ ...tally, open: open.has(tally.taskId) }));
}

/** The share of a task's finished repeats that passed, or null when none finished. */
export function passFraction(tally: TaskTally): number | null {
  assertTally(tally);
  return tally.finished === 0 ? null : tally.passes / tally.finished;
}

/** The tasks with at least one finished repeat: the ones every figure is computed over. */
export function finishedTasks(tallies: readonly TaskTally[]): TaskTally[] {
  return tallies.filter((tally) => {
    assertTally(tally);
    return tally.finished > 0;
  });
}

/** A run's tests counted by outcome. */
export function countTests(tests: readonly TestOutcome[]): TestCounts {
  const counts: TestCounts = { finished: 0, passed: 0, failed: 0, errored: 0, timedOut: 0, inProgress: 0, notRun: 0 };
  for (const { status } of tests) {
    if (status === 'not_run') counts.notRun += 1;
    else if (status === 'passed') counts.passed += 1;
    else if (status === 'failed') counts.failed += 1;
    else if (status === 'errored') counts.errored += 1;
    else if (status === 'timed_out') counts.timedOut += 1;
    else counts.inProgress += 1;
  }
  counts.finished = counts.passed + counts.failed + counts.errored + counts.timedOut;
  return counts;
}

/** Refuses a tally no run could produce. */
export function assertTally(tally: TaskTally): void {
  const { passes, finished } = tally;
  if (!Number.isInteger(passes) || !Number.isInteger(finished) || passes < 0 || passes > finished) {
    throw new RangeError(`Task ${tally.taskId}: passes must be a whole number between 0 and finished, got ${passes} of ${finished}.`);
  }
}
