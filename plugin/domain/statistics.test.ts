import { describe, expect, it } from 'vitest';
import {
  holmAdjust,
  mcnemarExact,
  minimumDetectableDifference,
  normalQuantile,
  percentile,
  relativeChange,
  verdict,
  wilsonInterval,
  Z_95,
} from './statistics.js';

// Reference values below were computed with Python 3, scipy 1.17.1, statsmodels 0.15.0 and numpy;
// each block names the exact call that produced them.

describe('wilsonInterval', () => {
  // statsmodels.stats.proportion.proportion_confint(k, n, alpha=0.05, method='wilson')
  const cases: Array<[number, number, number, number]> = [
    [31, 40, 0.6249690325768998, 0.8768390867645927],
    [0, 40, 0.0, 0.08762160119728668],
    [40, 40, 0.9123783988027134, 1.0],
    [0, 1, 0.0, 0.7934506856227627],
    [1, 1, 0.2065493143772374, 1.0],
    [7, 10, 0.39677814746114537, 0.8922087325936989],
    [5000, 10000, 0.49020206181540477, 0.5097979381845952],
    [9990, 10000, 0.9981600556125619, 0.9994567140135028],
  ];
  it.each(cases)('%i of %i matches statsmodels', (passed, total, low, high) => {
    const interval = wilsonInterval(passed, total);
    expect(interval.low).toBeCloseTo(low, 7);
    expect(interval.high).toBeCloseTo(high, 7);
  });

  it('is exactly 0 and 1 at the extremes', () => {
    expect(wilsonInterval(0, 40).low).toBe(0);
    expect(wilsonInterval(40, 40).high).toBe(1);
  });

  it('is the whole range when there are no tests', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 4)).toThrow(RangeError);
  });
});

describe('mcnemarExact', () => {
  // statsmodels.stats.contingency_tables.mcnemar([[0, b], [c, 0]], exact=True).pvalue,
  // equal in every case to scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue
  const cases: Array<[number, number, number]> = [
    [2, 5, 0.453125],
    [0, 6, 0.03125],
    [3, 12, 0.03515625],
    [100, 160, 0.00023894190306813953],
    [0, 20, 1.9073486328125e-6],
    [5, 5, 1],
    [1, 0, 1],
    [0, 1, 1],
  ];
  it.each(cases)('b=%i c=%i matches scipy', (b, c, p) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(p, 12);
  });

  it('is 1 with no discordant pairs', () => {
    expect(mcnemarExact(0, 0)).toBe(1);
  });

  it('is symmetric', () => {
    expect(mcnemarExact(12, 3)).toBe(mcnemarExact(3, 12));
  });

  it('stays accurate for 10,000 discordant pairs', () => {
    // same statsmodels / scipy calls as above
    expect(mcnemarExact(4900, 5100) / 0.04658552770494645).toBeCloseTo(1, 9);
    expect(mcnemarExact(4990, 5010) / 0.849310326637318).toBeCloseTo(1, 9);
    expect(mcnemarExact(0, 10000)).toBe(0);
  });
});

describe('holmAdjust', () => {
  // statsmodels.stats.multitest.multipletests(ps, method='holm')[1]
  it('matches statsmodels, in input order', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((p, i) => expect(adjusted[i]).toBeCloseTo(p, 12));
    const design = holmAdjust([0.453, 0.2, 0.9]);
    [0.906, 0.6, 0.906].forEach((p, i) => expect(design[i]).toBeCloseTo(p, 12));
  });

  it('handles ties, one value and none', () => {
    expect(holmAdjust([0.04, 0.04])).toEqual([0.08, 0.08]);
    expect(holmAdjust([0.5])).toEqual([0.5]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('caps at 1', () => {
    expect(holmAdjust([0.6, 0.7, 0.9])).toEqual([1, 1, 1]);
  });

  it('refuses values that are not p-values', () => {
    expect(() => holmAdjust([0.1, Number.NaN])).toThrow(RangeError);
    expect(() => holmAdjust([1.2])).toThrow(RangeError);
  });
});

describe('verdict', () => {
  it('follows the sign of the change when significant', () => {
    expect(verdict(0.01, 7.5)).toBe('better');
    expect(verdict(0.01, -7.5)).toBe('worse');
    expect(verdict(0.05, 3)).toBe('better');
  });

  it('is no_difference otherwise', () => {
    expect(verdict(0.906, 7.5)).toBe('no_difference');
    expect(verdict(0.0501, -20)).toBe('no_difference');
    expect(verdict(null, 10)).toBe('no_difference');
    expect(verdict(0.001, 0)).toBe('no_difference');
  });

  it('takes another alpha', () => {
    expect(verdict(0.08, 5, 0.1)).toBe('better');
  });
});

describe('percentile', () => {
  // numpy.percentile([12, 3, 7, 1, 19, 5, 8], q) (default method='linear')
  const values = [12, 3, 7, 1, 19, 5, 8];
  it.each([
    [0, 1],
    [50, 7],
    [95, 16.899999999999995],
    [100, 19],
    [37.5, 5.5],
  ])('p%d matches numpy', (p, expected) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 12);
  });

  it('does not reorder its input', () => {
    const input = [3, 1, 2];
    percentile(input, 50);
    expect(input).toEqual([3, 1, 2]);
  });

  it('handles one value and none', () => {
    expect(percentile([42], 95)).toBe(42);
    expect(percentile([], 50)).toBeNull();
  });

  it('refuses a percentile outside 0–100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('normalQuantile', () => {
  // scipy.stats.norm.ppf(p)
  it.each([
    [0.975, 1.959963984540054],
    [0.8, 0.8416212335729143],
    [0.5, 0],
    [0.001, -3.090232306167813],
    [1e-10, -6.361340902404056],
    [0.999999, 4.753424308817087],
  ])('ppf(%d) matches scipy', (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 12);
  });

  it('gives Z_95 to the last digit', () => {
    // scipy.stats.norm.ppf(0.975) == 1.959963984540054
    expect(Z_95).toBe(1.959963984540054);
    expect(normalQuantile(0.975)).toBeCloseTo(Z_95, 15);
  });
});

describe('minimumDetectableDifference', () => {
  // d = statsmodels.stats.power.NormalIndPower().solve_power(nobs1=n, alpha=0.05, power=0.8, ratio=0,
  //     alternative='two-sided'); expected = d * sqrt(p * (1 - p)). solve_power finds d numerically and counts the
  //     far tail too, hence agreement to 5 decimals only.
  it.each([
    [0.775, 40, 0.1849760288695621],
    [0.5, 100, 0.1400784167333633],
    [0.9, 10000, 0.008404474493672839],
  ])('rate %d over %i tasks matches statsmodels', (rate, n, expected) => {
    expect(minimumDetectableDifference(rate, n)).toBeCloseTo(expected, 5);
  });

  it('never claims less than the exact McNemar floor of 6 one-way discordant pairs', () => {
    // math.ceil(math.log2(2 / 0.05)) == 6; statsmodels above gives 0.4430 for (0.5, 10), below 6/10
    expect(minimumDetectableDifference(0.5, 10)).toBeCloseTo(0.6, 12);
    expect(minimumDetectableDifference(1, 40)).toBeCloseTo(6 / 40, 12);
    expect(minimumDetectableDifference(0, 40)).toBeCloseTo(6 / 40, 12);
  });

  it('is capped at 1 for one task and null for none', () => {
    expect(minimumDetectableDifference(0.5, 1)).toBe(1);
    expect(minimumDetectableDifference(0.5, 0)).toBeNull();
  });
});

describe('relativeChange', () => {
  it('is the change over the base', () => {
    expect(relativeChange(0.775, 0.7)).toBeCloseTo(0.10714285714, 10);
    expect(relativeChange(0.5, 1)).toBe(-0.5);
  });

  it('is null when the base is 0', () => {
    expect(relativeChange(0.5, 0)).toBeNull();
  });
});
