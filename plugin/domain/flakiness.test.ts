import { describe, expect, it } from 'vitest';
import { flakiness, isFlaky, passHatK } from './flakiness.js';
import type { TaskTally } from './task-outcomes.js';

const tallies = (counts: ReadonlyArray<readonly [number, number]>): TaskTally[] =>
  counts.map(([passes, finished], i) => ({ taskId: `t${i}`, passes, finished }));

describe('passHatK', () => {
  it('is C(c, k) / C(n, k)', () => {
    // Python 3: math.comb(7, 4) / math.comb(10, 4) = 0.16666666666666666
    expect(passHatK(7, 10, 4)).toBeCloseTo(0.16666666666666666, 15);
    expect(passHatK(2, 3, 2)).toBeCloseTo(1 / 3, 15);
    expect(passHatK(1, 3, 2)).toBe(0);
    expect(passHatK(3, 3, 3)).toBe(1);
    expect(passHatK(2, 3, 1)).toBeCloseTo(2 / 3, 15);
  });

  it('is null with fewer finished repeats than k, and refuses a bad k', () => {
    expect(passHatK(2, 2, 3)).toBeNull();
    expect(() => passHatK(1, 2, 0)).toThrow(RangeError);
    expect(() => passHatK(3, 2, 1)).toThrow(RangeError);
  });
});

describe('flakiness', () => {
  // τ-bench's estimator in Python 3: mean over tasks with n ≥ k of math.comb(c, k) / math.comb(n, k)
  //   k = 1 → 0.6857142857142857 over 7 tasks; k = 2 → 0.5619047619047619 over 7; k = 3 → 0.39999999999999997 over 6
  const counts = [[3, 3], [2, 3], [0, 3], [3, 3], [1, 3], [2, 2], [4, 5]] as const;
  it.each([
    [1, 0.6857142857142857, 7],
    [2, 0.5619047619047619, 7],
    [3, 0.39999999999999997, 6],
  ])('pass^%i matches τ-bench’s estimator', (k, expected, tasks) => {
    const result = flakiness(tallies(counts), k);
    expect(result.passHatK).toBeCloseTo(expected, 14);
    expect(result.tasks).toBe(tasks);
  });

  it('finds the tasks whose repeats disagree', () => {
    const result = flakiness([...tallies(counts), { taskId: 'once', passes: 1, finished: 1 }, { taskId: 'never', passes: 0, finished: 0 }], 3);
    expect(result.flakyTasks).toEqual(['t1', 't4', 't6']);
    expect(result.flakyShare).toBeCloseTo(3 / 7, 15);
  });

  it('has nothing to say without repeats', () => {
    const result = flakiness(tallies([[1, 1], [0, 1]]), 2);
    expect(result).toEqual({ k: 2, passHatK: null, tasks: 0, flakyShare: null, flakyTasks: [] });
    expect(isFlaky({ taskId: 'a', passes: 1, finished: 1 })).toBe(false);
  });
});
