import { describe, expect, it } from 'vitest';
import { taskPassRate, wilsonAt } from './clustered-interval.js';
import { wilsonInterval } from './statistics.js';
import type { TaskTally } from './task-outcomes.js';

const tallies = (counts: ReadonlyArray<readonly [number, number]>): TaskTally[] =>
  counts.map(([passes, finished], i) => ({ taskId: `t${i}`, passes, finished }));

// Reference values: Python 3, numpy 2 and statsmodels 0.15 (/work/stats-scratch/reference_interval.py, function
// clustered): f = passes / finished per task, p = f.mean(), V = ((f − p)²).sum() / T², n_eff = min(tests, p(1 − p)/V),
// then statsmodels.stats.proportion.proportion_confint(p · n_eff, n_eff, alpha=0.05, method='wilson').
describe('taskPassRate', () => {
  it.each<[string, Array<[number, number]>, number, number, number, number]>([
    ['three repeats', [[3, 3], [2, 3], [0, 3], [3, 3], [1, 3], [3, 3], [2, 3], [3, 3]], 0.7083333333333333, 13.408450704225354, 0.4424836143030214, 0.8813937052865707],
    ['ten repeats', [[10, 10], [7, 10], [0, 10], [9, 10], [4, 10], [10, 10]], 0.6666666666666666, 10.084033613445378, 0.3688657741749904, 0.8725148846212838],
    ['repeats that partly finished', [[2, 3], [1, 1], [0, 2], [3, 3], [1, 2]], 0.6333333333333333, 8.42741935483871, 0.3187250817778415, 0.8644466634953882],
  ])('%s matches statsmodels at the effective sample size', (_name, counts, rate, effective, low, high) => {
    const result = taskPassRate(tallies(counts))!;
    expect(result.passRate).toBeCloseTo(rate, 14);
    expect(result.effectiveTests).toBeCloseTo(effective, 10);
    expect(result.interval.low).toBeCloseTo(low, 10);
    expect(result.interval.high).toBeCloseTo(high, 10);
  });

  it('is exactly the Wilson interval when every task ran once', () => {
    // statsmodels proportion_confint(31, 40, method='wilson') = (0.6249690325768998, 0.8768390867645927)
    const result = taskPassRate(tallies([...Array(31).fill([1, 1]), ...Array(9).fill([0, 1])]))!;
    expect(result.passRate).toBe(0.775);
    expect(result.effectiveTests).toBeCloseTo(40, 10);
    expect(result.interval.low).toBeCloseTo(0.6249690325768998, 12);
    expect(result.interval.high).toBeCloseTo(0.8768390867645927, 12);
    for (const [passed, total] of [[0, 12], [12, 12], [1, 3], [7, 10]] as const) {
      const ones = tallies([...Array(passed).fill([1, 1]), ...Array(total - passed).fill([0, 1])]);
      const interval = taskPassRate(ones)!.interval;
      const wilson = wilsonInterval(passed, total);
      expect(interval.low).toBeCloseTo(wilson.low, 12);
      expect(interval.high).toBeCloseTo(wilson.high, 12);
    }
  });

  it('is wider than counting repeats as independent tests when tasks differ', () => {
    const counts: Array<[number, number]> = [[10, 10], [10, 10], [0, 10], [10, 10], [0, 10], [10, 10]];
    const clustered = taskPassRate(tallies(counts))!;
    const naive = wilsonInterval(40, 60);
    expect(clustered.effectiveTests).toBeCloseTo(6, 10);
    expect(clustered.interval.high - clustered.interval.low).toBeGreaterThan(2 * (naive.high - naive.low));
  });

  it('is worth no more than the tests themselves when repeats agree less than chance', () => {
    // Every task 1 of 2: no spread between tasks, so n_eff is capped at the 8 tests (Wilson on 4 of 8).
    const result = taskPassRate(tallies([[1, 2], [1, 2], [1, 2], [1, 2]]))!;
    expect(result.effectiveTests).toBe(8);
    expect(result.interval).toEqual(wilsonInterval(4, 8));
  });

  it('uses the tests at the extremes and leaves out tasks that never finished', () => {
    const result = taskPassRate(tallies([[3, 3], [3, 3], [0, 0], [2, 2]]))!;
    expect(result).toMatchObject({ passRate: 1, tasks: 3, tests: 8, effectiveTests: 8 });
    expect(result.interval).toEqual(wilsonInterval(8, 8));
    expect(taskPassRate(tallies([[0, 0]]))).toBeNull();
    expect(taskPassRate([])).toBeNull();
  });
});

describe('wilsonAt', () => {
  it('agrees with wilsonInterval at whole counts and is continuous between them', () => {
    expect(wilsonAt(0.775, 40)).toEqual(wilsonInterval(31, 40));
    const a = wilsonAt(0.5, 20.000001);
    const b = wilsonInterval(10, 20);
    expect(a.low).toBeCloseTo(b.low, 6);
    expect(a.high).toBeCloseTo(b.high, 6);
  });

  it('refuses a rate outside 0–1 and an empty sample', () => {
    expect(() => wilsonAt(1.2, 10)).toThrow(RangeError);
    expect(() => wilsonAt(0.5, 0)).toThrow(RangeError);
  });
});
