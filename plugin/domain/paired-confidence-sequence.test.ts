import { describe, expect, it } from 'vitest';
import { pairedConfidenceSequence } from './paired-confidence-sequence.js';
import type { PairedTask } from './paired-tasks.js';
import { anytimePValue } from './sequential-test.js';
import { seededRandom } from './seeded-random.js';

// Reference bounds: Python 3, numpy 2 (/work/stats-scratch/reference_confidence_sequence.py, function cs; not part of
// this repository): the same hedged aGRAPA capital written independently, vectorised over every candidate mean with no
// early exit; a candidate is kept when its log capital never reached ln(1/α).
const discordant = [...Array<number>(7).fill(1), ...Array<number>(21).fill(0), -1, -1];
const cases: Array<[string, number[], number, number, number]> = [
  ['ten tasks with three repeats', [1 / 3, 2 / 3, 0, 1, -1 / 3, 1 / 3, 2 / 3, 1, 0, 1 / 3], 0.05, -0.345, 0.999],
  ['60 tasks of one repeat, 14 improved and 4 regressed', [...discordant, ...discordant], 0.05, 0.011, 0.367],
  ['the same at α = 0.01', [...discordant, ...discordant], 0.01, -0.046, 0.407],
  ['300 tasks, d = ((37 i mod 11) − 4) / 6', Array.from({ length: 300 }, (_, i) => (((37 * i) % 11) - 4) / 6), 0.05, 0.067, 0.267],
];

const pairOf = (d: number, taskId: string): PairedTask => {
  // A difference in thirds as a pair of 3-repeat tallies.
  const thirds = Math.round(3 * d);
  return { taskId, baseline: { taskId, passes: thirds < 0 ? -thirds : 0, finished: 3 }, variant: { taskId, passes: thirds > 0 ? thirds : 0, finished: 3 } };
};

describe('pairedConfidenceSequence', () => {
  it.each(cases)('matches the numpy reference: %s', (_, differences, alpha, low, high) => {
    expect(pairedConfidenceSequence(differences, alpha)).toEqual({ low: expect.closeTo(low, 12), high: expect.closeTo(high, 12) });
  });

  it('excludes 0 exactly when the betting test’s anytime p-value is at most α', () => {
    // At m = 0 the capital is the betting e-process of sequential-test.ts, so the two cannot disagree. Random runs
    // of 3-repeat tasks with a small edge, looked at after 5 to 120 tasks.
    const random = seededRandom(15);
    let excluded = 0;
    for (let run = 0; run < 60; run++) {
      const thirds = Array.from({ length: 5 + Math.floor(random() * 116) }, () => Math.floor(random() * 7) - 3 + (random() < 0.6 ? 1 : 0));
      const differences = thirds.map((t) => Math.max(-3, Math.min(3, t)) / 3);
      const interval = pairedConfidenceSequence(differences);
      const pValue = anytimePValue('betting', differences.map((d, i) => pairOf(d, `t${i}`)));
      const excludesZero = interval.low > 0 || interval.high < 0;
      expect(excludesZero, `run ${run}: p = ${pValue}, interval ${interval.low}…${interval.high}`).toBe(pValue <= 0.05);
      if (excludesZero) excluded += 1;
    }
    // Both outcomes occurred, so the check could fail either way.
    expect(excluded).toBeGreaterThan(5);
    expect(excluded).toBeLessThan(55);
  });

  it('only narrows as tasks are added (the running intersection) and holds the running mean while it is plausible', () => {
    const random = seededRandom(7);
    const differences = Array.from({ length: 200 }, () => (random() < 0.3 ? 1 : random() < 0.15 ? -1 : 0));
    let previous = { low: -1, high: 1 };
    for (let t = 10; t <= 200; t += 10) {
      const interval = pairedConfidenceSequence(differences.slice(0, t));
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
    expect(pairedConfidenceSequence(differences.slice(0, 40)).low).toBeGreaterThan(0.5);
    const interval = pairedConfidenceSequence(differences);
    expect(interval.low > 0 || interval.high < 0).toBe(true);
  });

  it('is (−1, 1) to a step before any task, and refuses bad inputs', () => {
    expect(pairedConfidenceSequence([])).toEqual({ low: -0.999, high: 0.999 });
    expect(() => pairedConfidenceSequence([1.5])).toThrow(RangeError);
    expect(() => pairedConfidenceSequence([Number.NaN])).toThrow(RangeError);
    expect(() => pairedConfidenceSequence([0], 0)).toThrow(RangeError);
    expect(() => pairedConfidenceSequence([0], 0.05, 1)).toThrow(RangeError);
  });
});
