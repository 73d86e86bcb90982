import { describe, expect, it } from 'vitest';
import { seededRandom, seededShuffle } from './seeded-random.js';

describe('seededRandom', () => {
  it('repeats mulberry32', () => {
    // Python 3, the published mulberry32 steps with 32-bit masking (state += 0x6D2B79F5; …; / 2³²):
    // seed 42 → 0.6011037519201636, 0.44829055899754167, 0.8524657934904099; seed 0 → 0.26642920868471265
    const random = seededRandom(42);
    expect([random(), random(), random()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    expect(seededRandom(0)()).toBe(0.26642920868471265);
  });

  it('is roughly uniform', () => {
    const random = seededRandom(7);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) bins[Math.floor(random() * 10)]! += 1;
    // χ² with 9 degrees of freedom; 27.9 is its 0.999 quantile (scipy.stats.chi2.ppf(0.999, 9) = 27.877)
    const chi2 = bins.reduce((sum, count) => sum + (count - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(27.877);
  });

  it('refuses a seed that is not a whole number', () => {
    expect(() => seededRandom(0.5)).toThrow(RangeError);
  });
});

describe('seededShuffle', () => {
  it('is a permutation that the seed repeats and another seed changes', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = seededShuffle(items, 11);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(seededShuffle(items, 11)).toEqual(shuffled);
    expect(seededShuffle(items, 12)).not.toEqual(shuffled);
    expect(items[0]).toBe(0);
  });

  it('puts every item first about equally often', () => {
    const firsts = new Array<number>(5).fill(0);
    for (let seed = 0; seed < 20_000; seed++) firsts[seededShuffle([0, 1, 2, 3, 4], seed)[0]!]! += 1;
    // χ² with 4 degrees of freedom; scipy.stats.chi2.ppf(0.999, 4) = 18.467
    const chi2 = firsts.reduce((sum, count) => sum + (count - 4000) ** 2 / 4000, 0);
    expect(chi2).toBeLessThan(18.467);
  });
});
