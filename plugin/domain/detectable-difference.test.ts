import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import binomcoefln from '@stdlib/math-base-special-binomcoefln';
import { describe, expect, it } from 'vitest';
import { checkTaskSet, comparisonPower, detectableDifference, mcnemarPower, planningBaseline, tasksNeeded } from './detectable-difference.js';
import { minimumDetectableDifference } from './statistics.js';

// Reference powers: Python 3, scipy 1.17 (/work/stats-scratch/reference_power.py), by brute force over every
// table (b regressions, c improvements, n − b − c others): scipy.stats.multinomial.pmf([b, c, n − b − c], n,
// [P(regress), P(improve), rest]) summed where scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue ≤ level.
// Independent outcomes: P(regress) = p(1 − p − δ), P(improve) = (1 − p)(p + δ).
describe('comparisonPower with one repeat (exact McNemar)', () => {
  it.each([
    [40, 0.5, 0.32, 0.05, 0.8098684621789715],
    [40, 0.5, 0.22, 0.05, 0.4287080931111304],
    [60, 0.7, 0.15, 0.05, 0.4135470983183112],
    [60, 0.7, -0.2, 0.025, 0.42820569902636135],
    [25, 0.2, 0.3, 0.05, 0.4789954569091873],
  ])('%i tasks at %d, difference %d, level %d', (tasks, passRate, difference, alpha, expected) => {
    expect(comparisonPower({ tasks, passRate, alpha }, difference)).toBeCloseTo(expected, 11);
  });

  it('uses the baseline discordance when it is known', () => {
    // Same brute force with P(regress) = w − δp, P(improve) = w + δ(1 − p): n 50, p 0.6, w 0.1, δ 0.12.
    expect(comparisonPower({ tasks: 50, passRate: 0.6, discordance: 0.2 }, 0.12)).toBeCloseTo(0.4087213933223193, 11);
  });

  it('agrees with the plain sum over binomial tails everywhere', () => {
    // The plain formula, one incomplete beta per tail and no recurrences: Σ_D P(D) · P(reject | D).
    const binomialPmf = (k: number, n: number, p: number) =>
      p >= 1 ? Number(k === n) : Math.exp(binomcoefln(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
    const plain = (n: number, regress: number, improve: number, alpha: number) => {
      let power = 0;
      for (let d = 1; d <= n; d++) {
        let k = -1;
        while (k + 1 < d / 2 && 2 * binomialCdf(k + 1, d, 0.5) <= alpha) k += 1;
        if (k < 0) continue;
        const pi = improve / (regress + improve);
        power += binomialPmf(d, n, regress + improve) * (binomialCdf(k, d, pi) + 1 - binomialCdf(d - k - 1, d, pi));
      }
      return power;
    };
    for (const n of [1, 7, 30, 150, 600]) {
      for (const [regress, improve] of [[0.1, 0.2], [0.3, 0.1], [0.02, 0.05], [0, 0.4], [0.25, 0.25], [0.45, 0.55]]) {
        for (const alpha of [0.05, 0.01]) {
          expect(mcnemarPower(n, regress!, improve!, alpha)).toBeCloseTo(plain(n, regress!, improve!, alpha), 10);
        }
      }
    }
  });

  it('refuses probabilities that cannot be', () => {
    expect(() => mcnemarPower(10, 0.7, 0.5, 0.05)).toThrow(RangeError);
    expect(() => mcnemarPower(10, -0.1, 0.5, 0.05)).toThrow(RangeError);
    expect(mcnemarPower(10, 0, 0, 0.05)).toBe(0);
  });
});

describe('detectableDifference', () => {
  it('finds 32 points at 40 tasks and a 50% baseline, where the old formula said 22 (issue 14)', () => {
    // reference_power.py, function mdd: bisection on the brute-force power to 1e-4 → 0.31695556640625
    const { improvement, regression } = detectableDifference({ tasks: 40, passRate: 0.5 });
    expect(improvement).toBeCloseTo(0.31696, 3);
    expect(regression).toBeCloseTo(0.31696, 3);
    expect(minimumDetectableDifference(0.5, 40)).toBeCloseTo(0.2215, 4);
  });

  it('plans at α / variants (Holm’s first step)', () => {
    // reference_power.py: mdd(100, 0.7, 0.05 / 3) = 0.191455078125 up, 0.23455810546874997 down
    const three = detectableDifference({ tasks: 100, passRate: 0.7, variants: 3 });
    expect(three.improvement).toBeCloseTo(0.19146, 3);
    expect(three.regression).toBeCloseTo(0.23456, 3);
    const one = detectableDifference({ tasks: 100, passRate: 0.7 });
    expect(one.improvement!).toBeLessThan(three.improvement!);
  });

  it('returns the smallest difference with the power asked', () => {
    for (const plan of [
      { tasks: 40, passRate: 0.7 },
      { tasks: 300, passRate: 0.4, variants: 4 },
      { tasks: 40, passRate: 0.7, repeats: 3, baselineRepeats: 3 },
      { tasks: 60, passRate: 0.8, repeats: 5, baselineRepeats: 1, discordance: 0.1 },
    ]) {
      const { improvement, regression } = detectableDifference(plan);
      expect(comparisonPower(plan, improvement!)).toBeGreaterThanOrEqual(0.8);
      expect(comparisonPower(plan, improvement! - 2e-4)).toBeLessThan(0.8);
      expect(comparisonPower(plan, -regression!)).toBeGreaterThanOrEqual(0.8);
      expect(comparisonPower(plan, -regression! + 2e-4)).toBeLessThan(0.8);
    }
  });

  it('is smaller with repeats, and with consistent tasks', () => {
    const once = detectableDifference({ tasks: 40, passRate: 0.7 }).improvement!;
    const thrice = detectableDifference({ tasks: 40, passRate: 0.7, repeats: 3, baselineRepeats: 3 }).improvement!;
    const consistent = detectableDifference({ tasks: 40, passRate: 0.7, discordance: 0.1 }).improvement!;
    expect(thrice).toBeLessThan(once);
    expect(consistent).toBeLessThan(once);
  });

  it('is null in a direction with no room or too few tasks', () => {
    expect(detectableDifference({ tasks: 40, passRate: 1 })).toMatchObject({ improvement: null });
    expect(detectableDifference({ tasks: 3, passRate: 0.5 })).toEqual({ improvement: null, regression: null });
  });

  it('refuses plans that cannot be', () => {
    expect(() => detectableDifference({ tasks: -1, passRate: 0.5 })).toThrow(RangeError);
    expect(() => detectableDifference({ tasks: 10, passRate: 1.5 })).toThrow(RangeError);
    expect(() => detectableDifference({ tasks: 10, passRate: 0.5, repeats: 0 })).toThrow(RangeError);
    expect(() => detectableDifference({ tasks: 10, passRate: 0.5, variants: 1.5 })).toThrow(RangeError);
    expect(() => detectableDifference({ tasks: 10, passRate: 0.5, alpha: 0 })).toThrow(RangeError);
    expect(() => detectableDifference({ tasks: 10, passRate: 0.5, discordance: 2 })).toThrow(RangeError);
  });
});

describe('tasksNeeded and checkTaskSet', () => {
  it('finds where the power crosses the target', () => {
    for (const [plan, difference] of [
      [{ passRate: 0.7 }, 0.1],
      [{ passRate: 0.5, variants: 3 }, -0.15],
      [{ passRate: 0.7, repeats: 3, baselineRepeats: 3 }, 0.05],
    ] as const) {
      const needed = tasksNeeded(plan, difference)!;
      expect(comparisonPower({ ...plan, tasks: needed }, difference)).toBeGreaterThanOrEqual(0.8);
      expect(comparisonPower({ ...plan, tasks: needed - 1 }, difference)).toBeLessThan(0.8);
    }
  });

  it('agrees with detectableDifference', () => {
    const needed = tasksNeeded({ passRate: 0.5 }, 0.32)!;
    expect(needed).toBeLessThanOrEqual(40);
    expect(detectableDifference({ tasks: needed, passRate: 0.5 }).improvement!).toBeLessThanOrEqual(0.32);
  });

  it('says when a task set is too small for the difference named', () => {
    const check = checkTaskSet({ tasks: 40, passRate: 0.5 }, 0.2);
    expect(check.tooSmall).toBe(true);
    expect(check.power).toBeLessThan(0.8);
    expect(check.tasksNeeded).toBeGreaterThan(40);
    expect(checkTaskSet({ tasks: 40, passRate: 0.5 }, 0.35)).toMatchObject({ tooSmall: false });
    expect(tasksNeeded({ passRate: 0.9 }, 0.2)).toBeNull();
  });
});

describe('planningBaseline', () => {
  it('reads the pass rate and, from repeats, the discordance', () => {
    // By hand: fractions 1, 2/3, 0, 1/2 (e never finished) → mean 13/24; discordance per task
    // 2c(n − c)/(n(n − 1)) = 0, 2/3, 0, 1 → mean 5/12.
    const baseline = planningBaseline([
      { taskId: 'a', passes: 3, finished: 3 },
      { taskId: 'b', passes: 2, finished: 3 },
      { taskId: 'c', passes: 0, finished: 3 },
      { taskId: 'd', passes: 1, finished: 2 },
      { taskId: 'e', passes: 0, finished: 0 },
    ])!;
    expect(baseline.passRate).toBeCloseTo(13 / 24, 14);
    expect(baseline.discordance).toBeCloseTo(5 / 12, 14);
  });

  it('knows no discordance without repeats, and nothing without finished tasks', () => {
    expect(planningBaseline([{ taskId: 'a', passes: 1, finished: 1 }])).toEqual({ passRate: 1 });
    expect(planningBaseline([{ taskId: 'a', passes: 0, finished: 0 }])).toBeNull();
  });
});
