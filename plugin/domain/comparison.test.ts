import { describe, expect, it } from 'vitest';
import { compareWithBaseline, share, taskPassed } from './comparison.js';

// The p-values are summed in log space: equal to the reference to about 1e-15, not bit for bit.
const near = (value: number) => expect.closeTo(value, 12);

// Reference values were computed outside this code base with Python 3, scipy 1.17 and statsmodels 0.15:
//   p-values:  scipy.stats.binomtest(b, b + c, 0.5).pvalue          (exact two-sided McNemar)
//   Holm:      statsmodels.stats.multitest.multipletests(ps, method='holm')[1]

describe('taskPassed', () => {
  it.each([
    // rule, passes, repeats, expected
    ['all', 3, 3, true],
    ['all', 2, 3, false],
    ['all', 0, 1, false],
    ['all', 1, 1, true],
    ['majority', 2, 3, true],
    ['majority', 1, 3, false],
    ['majority', 1, 2, false], // a tie is not a majority
    ['majority', 2, 2, true],
    ['majority', 3, 5, true],
    ['any', 1, 5, true],
    ['any', 0, 5, false],
  ] as const)('%s with %i of %i passing → %s', (rule, passes, repeats, expected) => {
    expect(taskPassed(rule, passes, repeats)).toBe(expected);
  });

  it('refuses impossible counts', () => {
    expect(() => taskPassed('all', 4, 3)).toThrow(RangeError);
    expect(() => taskPassed('any', -1, 3)).toThrow(RangeError);
    expect(() => taskPassed('majority', 0, 0)).toThrow(RangeError);
    expect(() => taskPassed('all', 1.5, 3)).toThrow(RangeError);
  });
});

describe('share', () => {
  it('divides, and is null for an empty whole', () => {
    expect(share(3, 4)).toBe(0.75);
    expect(share(0, 4)).toBe(0);
    expect(share(0, 0)).toBeNull();
  });
});

describe('compareWithBaseline', () => {
  it('reproduces the example of DESIGN §8 inside a family of three variants', () => {
    const baseline = { passed: 28, total: 40 };
    const [a, b, c] = compareWithBaseline(baseline, [
      { passed: 31, total: 40, regressions: 2, improvements: 5 },
      { passed: 28, total: 40, regressions: 3, improvements: 3 },
      { passed: 18, total: 40, regressions: 10, improvements: 0 },
    ]);
    // binomtest(2, 7) = 0.453125, binomtest(3, 6) = 1.0, binomtest(10, 10) = 0.001953125;
    // Holm over the three: [0.90625, 1.0, 0.005859375].
    expect(a).toEqual({
      relative: expect.closeTo(0.107142857, 8),
      points: 7.5,
      regressions: 2,
      improvements: 5,
      pValue: near(0.453125),
      pAdjusted: near(0.90625),
      verdict: 'no_difference',
    });
    expect(b).toEqual({ relative: 0, points: 0, regressions: 3, improvements: 3, pValue: 1, pAdjusted: 1, verdict: 'no_difference' });
    expect(c).toMatchObject({ points: -25, pValue: near(0.001953125), pAdjusted: near(0.005859375), verdict: 'worse' });
    expect(c!.relative).toBeCloseTo(-10 / 28, 12);
  });

  it('leaves variants without a comparable run out of the Holm family', () => {
    const baseline = { passed: 50, total: 100 };
    const results = compareWithBaseline(baseline, [
      null,
      { passed: 80, total: 100, regressions: 30, improvements: 60 },
      { passed: 57, total: 100, regressions: 1, improvements: 8 },
      null,
      { passed: 50, total: 100, regressions: 5, improvements: 5 },
    ]);
    expect(results[0]).toBeNull();
    expect(results[3]).toBeNull();
    // binomtest(30, 90) = 0.0020602656809630745, binomtest(1, 9) = 0.0390625; Holm over the three:
    // [0.0061807970428892234, 0.078125, 1.0].
    expect(results[1]).toMatchObject({
      pValue: near(0.0020602656809630745),
      pAdjusted: near(0.0061807970428892234),
      verdict: 'better',
      points: 30,
    });
    expect(results[2]).toMatchObject({ pValue: near(0.0390625), pAdjusted: near(0.078125), verdict: 'no_difference', points: 7 });
    expect(results[4]).toMatchObject({ pValue: 1, pAdjusted: 1, verdict: 'no_difference' });
  });

  it('calls a lone variant with twelve improvements and no regressions better (p = 2 · 0.5^12)', () => {
    const [result] = compareWithBaseline({ passed: 0, total: 12 }, [{ passed: 12, total: 12, regressions: 0, improvements: 12 }]);
    // binomtest(0, 12) = 0.00048828125; a family of one is not adjusted. The baseline passed nothing: no relative change.
    expect(result).toEqual({
      relative: null,
      points: 100,
      regressions: 0,
      improvements: 12,
      pValue: near(0.00048828125),
      pAdjusted: near(0.00048828125),
      verdict: 'better',
    });
  });

  it('edge cases: nothing passed, everything passed, no discordant pairs, one task', () => {
    const nothing = compareWithBaseline({ passed: 0, total: 10 }, [{ passed: 0, total: 10, regressions: 0, improvements: 0 }]);
    expect(nothing[0]).toEqual({
      relative: null,
      points: 0,
      regressions: 0,
      improvements: 0,
      pValue: 1,
      pAdjusted: 1,
      verdict: 'no_difference',
    });

    const everything = compareWithBaseline({ passed: 10, total: 10 }, [{ passed: 10, total: 10, regressions: 0, improvements: 0 }]);
    expect(everything[0]).toEqual({
      relative: 0,
      points: 0,
      regressions: 0,
      improvements: 0,
      pValue: 1,
      pAdjusted: 1,
      verdict: 'no_difference',
    });

    // binomtest(1, 1) = 1.0: one task can never show a difference.
    const oneTask = compareWithBaseline({ passed: 1, total: 1 }, [{ passed: 0, total: 1, regressions: 1, improvements: 0 }]);
    expect(oneTask[0]).toEqual({
      relative: -1,
      points: -100,
      regressions: 1,
      improvements: 0,
      pValue: 1,
      pAdjusted: 1,
      verdict: 'no_difference',
    });

    // Four regressions all one way: binomtest(4, 4) = 0.125, not enough at α = 0.05.
    const four = compareWithBaseline({ passed: 4, total: 4 }, [{ passed: 0, total: 4, regressions: 4, improvements: 0 }]);
    expect(four[0]).toMatchObject({ pValue: near(0.125), verdict: 'no_difference' });

    // Six all one way: binomtest(0, 6) = 0.03125 ≤ 0.05.
    const six = compareWithBaseline({ passed: 0, total: 6 }, [{ passed: 6, total: 6, regressions: 0, improvements: 6 }]);
    expect(six[0]).toMatchObject({ pValue: near(0.03125), verdict: 'better' });

    expect(compareWithBaseline({ passed: 3, total: 4 }, [])).toEqual([]);
    expect(compareWithBaseline({ passed: 3, total: 4 }, [null])).toEqual([null]);
  });

  it('takes the direction from the paired tasks when repeats make the test-level rate disagree', () => {
    // With repeats and the `all` rule, more passing tests can still mean fewer passing tasks: the test was on tasks.
    const [result] = compareWithBaseline({ passed: 20, total: 60 }, [{ passed: 25, total: 60, regressions: 6, improvements: 0 }]);
    expect(result!.points).toBeGreaterThan(0);
    expect(result).toMatchObject({ pValue: near(0.03125), verdict: 'worse' });
  });

  it('honours another alpha', () => {
    const [result] = compareWithBaseline({ passed: 4, total: 4 }, [{ passed: 0, total: 4, regressions: 4, improvements: 0 }], 0.2);
    expect(result!.verdict).toBe('worse');
  });
});
