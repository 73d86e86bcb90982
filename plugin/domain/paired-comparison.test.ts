import { describe, expect, it } from 'vitest';
import { comparePaired } from './paired-comparison.js';
import { pairedDifferenceInterval } from './paired-difference-interval.js';
import { pairedPermutationTest } from './paired-permutation-test.js';
import { pairTasks } from './paired-tasks.js';
import type { TaskTally } from './task-outcomes.js';

const tally = (taskId: string, passes: number, finished: number): TaskTally => ({ taskId, passes, finished });

describe('comparePaired', () => {
  it('derives the headline, the flips and the test from the same per-task differences', () => {
    const baseline = [tally('t0', 1, 1), tally('t1', 0, 1), tally('t2', 1, 1), tally('t3', 1, 1), tally('t4', 1, 1)];
    const variant = [tally('t0', 2, 3), tally('t1', 3, 3), tally('t2', 3, 3), tally('t3', 0, 3), tally('t4', 0, 0)];
    const comparison = comparePaired(baseline, variant)!;
    // By hand: t4 never finished in the variant, so 4 paired tasks; differences −1/3, +1, 0, −1.
    expect(comparison.tasks).toBe(4);
    expect(comparison.baselineRate).toBe(0.75);
    expect(comparison.variantRate).toBeCloseTo(2 / 3, 14);
    expect(comparison.points).toBeCloseTo(-25 / 3, 12);
    expect(comparison.relative).toBeCloseTo(-1 / 9, 12);
    expect(comparison.regressed.map((row) => row.taskId)).toEqual(['t3', 't0']);
    expect(comparison.improved).toEqual([{ taskId: 't1', baseline: 0, variant: 1, difference: 1 }]);
    expect(comparison.pointsLost).toBeCloseTo(100 / 3, 12);
    expect(comparison.pointsGained).toBeCloseTo(25, 12);
    const pairs = pairTasks(baseline, variant);
    expect(comparison.pValue).toBe(pairedPermutationTest(pairs).pValue);
    expect(comparison.method).toBe('exact_permutation');
    expect(comparison.interval).toEqual(pairedDifferenceInterval(pairs));
  });

  it('never shows a gain with more points lost than gained (issue 14: 20 repeats against 1)', () => {
    // The variant passes 19 of 20 repeats of each task the baseline passed once, and 4 of 20 of those it failed:
    // per task it lost 5 points 14 times and gained 20 points 6 times.
    const baseline = Array.from({ length: 20 }, (_, i) => tally(`t${i}`, i < 14 ? 1 : 0, 1));
    const variant = Array.from({ length: 20 }, (_, i) => tally(`t${i}`, i < 14 ? 19 : 4, 20));
    const comparison = comparePaired(baseline, variant)!;
    expect(comparison.points).toBeCloseTo((100 * (14 * -0.05 + 6 * 0.2)) / 20, 12);
    expect(comparison.points).toBeCloseTo(comparison.pointsGained - comparison.pointsLost, 12);
    expect(comparison.points).toBeGreaterThan(0);
    expect(comparison.regressed).toHaveLength(14);
    expect(comparison.improved).toHaveLength(6);
    expect(comparison.interval.low).toBeLessThan(comparison.points / 100);
    expect(comparison.interval.high).toBeGreaterThan(comparison.points / 100);
  });

  it('uses exact McNemar when both ran once', () => {
    const baseline = Array.from({ length: 40 }, (_, i) => tally(`t${i}`, i < 28 ? 1 : 0, 1));
    const variant = Array.from({ length: 40 }, (_, i) => tally(`t${i}`, (i >= 2 && i < 28) || i >= 35 ? 1 : 0, 1));
    const comparison = comparePaired(baseline, variant)!;
    // 2 regressions, 5 improvements: DESIGN §8's example. scipy.stats.binomtest(2, 7, 0.5).pvalue = 0.453125
    expect(comparison).toMatchObject({ tasks: 40, points: 7.5, method: 'exact_mcnemar' });
    expect(comparison.pValue).toBeCloseTo(0.453125, 12);
    expect(comparison.relative).toBeCloseTo(0.075 / 0.7, 12);
    expect(comparison.regressed).toHaveLength(2);
    expect(comparison.improved).toHaveLength(5);
  });

  it('is null with no task finished by both, and has no relative change from a baseline that passed nothing', () => {
    expect(comparePaired([tally('a', 1, 1)], [tally('b', 1, 1)])).toBeNull();
    expect(comparePaired([tally('a', 0, 1)], [tally('a', 1, 1)])!.relative).toBeNull();
  });
});
