import { describe, expect, it } from 'vitest';
import { pairedConfidenceSequence } from './paired-confidence-sequence.js';
import type { PairedTask } from './paired-tasks.js';
import { anytimePValue, type SequentialKind } from './sequential-test.js';
import { seededRandom } from './seeded-random.js';

// Reference bounds: Python 3, numpy 2, scipy 1.17 (/work/stats-scratch/reference_confidence_sequence.py, functions
// cs and mixture_cs; not part of this repository), written independently: the hedged aGRAPA capital vectorised over
// every candidate mean with no early exit; the mixture by scipy.integrate.quad (adaptive) rather than Gauss–Legendre.
// A candidate is kept when its log evidence never reached ln(1/α).
const discordant = [...Array<number>(7).fill(1), ...Array<number>(21).fill(0), -1, -1];
const mixed = [1, 0, 0, 1, -1, 1, 0, 1, 1, 0, 1, 0, 1, 1, -1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, -1, 1, 0];
const cases: Array<[string, SequentialKind, number[], number, number, number]> = [
  ['ten tasks with three repeats', 'betting', [1 / 3, 2 / 3, 0, 1, -1 / 3, 1 / 3, 2 / 3, 1, 0, 1 / 3], 0.05, -0.345, 0.999],
  ['60 tasks, 14 improved and 4 regressed, by betting', 'betting', [...discordant, ...discordant], 0.05, 0.011, 0.367],
  ['the same at α = 0.01', 'betting', [...discordant, ...discordant], 0.01, -0.046, 0.407],
  ['300 tasks, d = ((37 i mod 11) − 4) / 6', 'betting', Array.from({ length: 300 }, (_, i) => (((37 * i) % 11) - 4) / 6), 0.05, 0.067, 0.267],
  ['30 tasks of one repeat, 16 improved and 3 regressed, by the mixture', 'discordant_mixture', mixed, 0.05, 0.009, 0.742],
  ['60 tasks, 14 improved and 4 regressed, by the mixture', 'discordant_mixture', [...discordant, ...discordant], 0.05, -0.009, 0.379],
];

// A difference in thirds as a pair of tallies: one repeat each when it is −1, 0 or 1 and `kind` is the mixture.
const pairOf = (kind: SequentialKind, d: number, taskId: string): PairedTask => {
  const n = kind === 'discordant_mixture' ? 1 : 3;
  const steps = Math.round(n * d);
  return { taskId, baseline: { taskId, passes: steps < 0 ? -steps : 0, finished: n }, variant: { taskId, passes: steps > 0 ? steps : 0, finished: n } };
};

describe('pairedConfidenceSequence', () => {
  it.each(cases)('matches the numpy reference: %s', (_, kind, differences, alpha, low, high) => {
    expect(pairedConfidenceSequence(kind, differences, alpha)).toEqual({ low: expect.closeTo(low, 12), high: expect.closeTo(high, 12) });
  });

  it.each([
    ['betting', (random: () => number) => Math.max(-3, Math.min(3, Math.floor(random() * 7) - 3 + (random() < 0.6 ? 1 : 0))) / 3],
    ['discordant_mixture', (random: () => number) => (random() < 0.3 ? 1 : random() < 0.25 ? -1 : 0)],
  ] as const)('excludes 0 exactly when the %s test’s anytime p-value is at most α', (kind, draw) => {
    // At m = 0 the evidence is the sequential test's own, so the interval and the verdict cannot disagree. Random runs
    // with a small edge, looked at after 5 to 120 tasks; 10 (betting) and 5 (mixture) of the 60 land with 0.02 < p < 0.12.
    const random = seededRandom(kind === 'betting' ? 15 : 16);
    let excluded = 0;
    for (let run = 0; run < 60; run++) {
      const differences = Array.from({ length: 5 + Math.floor(random() * 116) }, () => draw(random));
      const interval = pairedConfidenceSequence(kind, differences);
      const pValue = anytimePValue(kind, differences.map((d, i) => pairOf(kind, d, `t${i}`)));
      const excludesZero = interval.low > 0 || interval.high < 0;
      expect(excludesZero, `run ${run}: p = ${pValue}, interval ${interval.low}…${interval.high}`).toBe(pValue <= 0.05);
      if (excludesZero) excluded += 1;
    }
    // Both outcomes occurred, so the check could fail either way.
    expect(excluded).toBeGreaterThan(5);
    expect(excluded).toBeLessThan(55);
  });

  it.each(['betting', 'discordant_mixture'] as const)('only narrows as tasks are added and holds the running mean (%s)', (kind) => {
    const random = seededRandom(7);
    const differences = Array.from({ length: 200 }, (): number => (random() < 0.3 ? 1 : random() < 0.15 ? -1 : 0));
    let previous = { low: -1, high: 1 };
    for (let t = 10; t <= 200; t += 10) {
      const interval = pairedConfidenceSequence(kind, differences.slice(0, t));
      expect(interval.low).toBeGreaterThanOrEqual(previous.low);
      expect(interval.high).toBeLessThanOrEqual(previous.high);
      const mean = differences.slice(0, t).reduce((a, b) => a + b, 0) / t;
      expect(interval.low).toBeLessThanOrEqual(mean);
      expect(interval.high).toBeGreaterThanOrEqual(mean);
      previous = interval;
    }
    // 200 tasks narrow it to about ±0.1 around the mean.
    expect(previous.high - previous.low).toBeLessThan(0.25);
  });

  it('keeps a rejected mean rejected even when later tasks would have kept it', () => {
    // 40 improvements then 40 regressions: the mean over all 80 is 0, but 0 was rejected early on for good.
    const differences = [...Array<number>(40).fill(1), ...Array<number>(40).fill(-1)];
    for (const kind of ['betting', 'discordant_mixture'] as const) {
      expect(pairedConfidenceSequence(kind, differences.slice(0, 40)).low).toBeGreaterThan(0.5);
      const interval = pairedConfidenceSequence(kind, differences);
      expect(interval.low > 0 || interval.high < 0).toBe(true);
    }
  });

  it('is (−1, 1) to a step before any task, and refuses bad inputs', () => {
    expect(pairedConfidenceSequence('betting', [])).toEqual({ low: -0.999, high: 0.999 });
    expect(pairedConfidenceSequence('discordant_mixture', [])).toEqual({ low: -0.999, high: 0.999 });
    expect(() => pairedConfidenceSequence('betting', [1.5])).toThrow(RangeError);
    expect(() => pairedConfidenceSequence('betting', [Number.NaN])).toThrow(RangeError);
    expect(() => pairedConfidenceSequence('discordant_mixture', [0.5])).toThrow(RangeError);
    expect(() => pairedConfidenceSequence('betting', [0], 0)).toThrow(RangeError);
    expect(() => pairedConfidenceSequence('betting', [0], 0.05, 1)).toThrow(RangeError);
  });
});
