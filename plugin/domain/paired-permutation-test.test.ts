import { describe, expect, it } from 'vitest';
import { pairedPermutationTest } from './paired-permutation-test.js';
import type { PairedTask } from './paired-tasks.js';
import { mcnemarExact } from './statistics.js';

/** Tasks as [baseline passes, baseline finished, variant passes, variant finished]. */
type Counts = [number, number, number, number];
const pairsOf = (tasks: readonly Counts[]): PairedTask[] =>
  tasks.map(([cB, nB, cV, nV], i) => ({
    taskId: `t${i}`,
    baseline: { taskId: `t${i}`, passes: cB, finished: nB },
    variant: { taskId: `t${i}`, passes: cV, finished: nV },
  }));

// Reference p-values: Python 3 with fractions.Fraction, enumerating every relabeling of each task's finished
// repeats (itertools.combinations of which nV of the nB + nV outcomes are the variant's), convolving the per-task
// distributions of (variant fraction − baseline fraction) exactly, and doubling the smaller tail:
//   p = min(1, 2 · min(P(S ≤ s_obs), P(S ≥ s_obs)))
// (/work/stats-scratch/reference_paired.py, function perm_p; not part of this repository).
describe('pairedPermutationTest against enumeration', () => {
  it.each<[string, Counts[], number]>([
    ['three tasks, 3 repeats each', [[1, 3, 3, 3], [0, 3, 2, 3], [2, 3, 3, 3]], 0.04],
    ['baseline once, variant 3 times', [[1, 1, 1, 3], [0, 1, 2, 3], [1, 1, 3, 3], [0, 1, 3, 3], [1, 1, 0, 3], [0, 1, 1, 3]], 1],
    ['variant 3 times, better', [[0, 1, 3, 3], [0, 1, 2, 3], [1, 1, 3, 3], [0, 1, 3, 3], [1, 1, 2, 3], [0, 1, 1, 3], [0, 1, 3, 3]], 0.0419921875],
    ['unequal finished repeats', [[2, 3, 1, 2], [0, 2, 2, 2], [3, 3, 1, 1], [1, 3, 3, 3], [0, 1, 2, 3]], 0.06],
    ['five tasks, 2 vs 4', [[0, 2, 4, 4], [1, 2, 3, 4], [0, 2, 2, 4], [2, 2, 4, 4], [1, 2, 4, 4]], 0.024098765432098764],
    ['a regression with 10 repeats', [[10, 10, 6, 10], [9, 10, 5, 10], [7, 10, 7, 10], [8, 10, 4, 10]], 0.0070047941051392445],
  ])('%s', (_name, tasks, expected) => {
    const result = pairedPermutationTest(pairsOf(tasks));
    expect(result.method).toBe('exact_permutation');
    expect(result.pValue).toBeCloseTo(expected, 12);
  });

  // Larger cases: the same convolution in Python over scipy.stats.hypergeom.pmf (function conv_p), with tasks from
  // h(i) = (i · 2654435761) mod 2³², as written out below.
  const h = (i: number) => (i * 2654435761) % 4294967296;
  const hashed = (count: number, nB: number, every: number): Counts[] =>
    Array.from({ length: count }, (_, i) => [h(i) % (nB + 1), nB, Math.min(3, (Math.floor(h(i) / 256) % 4) + (i % every === 0 ? 1 : 0)), 3]);

  it('120 tasks with 3 repeats each', () => {
    const result = pairedPermutationTest(pairsOf(hashed(120, 3, 3)));
    expect(result.method).toBe('exact_permutation');
    expect(result.pValue).toBeCloseTo(0.01674673025936278, 10);
  });

  it('80 tasks, baseline 2 repeats, variant 3', () => {
    const result = pairedPermutationTest(pairsOf(hashed(80, 2, 4)));
    expect(result.method).toBe('exact_permutation');
    expect(result.pValue).toBeCloseTo(0.1922416050943754, 10);
  });

  it('its normal approximation stays close to the exact distribution once many tasks vary', () => {
    for (const tasks of [hashed(120, 3, 3), hashed(80, 2, 4)]) {
      const exact = pairedPermutationTest(pairsOf(tasks)).pValue;
      const normal = pairedPermutationTest(pairsOf(tasks), 0);
      expect(normal.method).toBe('normal_approximation');
      expect(Math.abs(normal.pValue - exact)).toBeLessThan(0.1 * exact);
    }
  });
});

describe('pairedPermutationTest when every task ran once', () => {
  // statsmodels.stats.contingency_tables.mcnemar([[4, b], [c, 3]], exact=True).pvalue — and the enumeration above
  // gives the same four values, which is the identity: with one repeat each, the permutation test is exact McNemar.
  it.each([
    [2, 5, 0.453125],
    [0, 6, 0.03125],
    [3, 12, 0.03515625],
    [7, 7, 1],
  ])('b=%i c=%i is exact McNemar', (b, c, expected) => {
    const tasks: Counts[] = [
      ...Array<Counts>(b).fill([1, 1, 0, 1]),
      ...Array<Counts>(c).fill([0, 1, 1, 1]),
      ...Array<Counts>(4).fill([1, 1, 1, 1]),
      ...Array<Counts>(3).fill([0, 1, 0, 1]),
    ];
    const result = pairedPermutationTest(pairsOf(tasks));
    expect(result).toEqual({ pValue: mcnemarExact(b, c), method: 'exact_mcnemar' });
    expect(result.pValue).toBeCloseTo(expected, 12);
    // A task that passed every repeat in both runs cannot vary, but it sends the test down the general convolution:
    // the same value.
    const doubled = pairedPermutationTest(pairsOf([...tasks, [2, 2, 2, 2]]));
    expect(doubled.method).toBe('exact_permutation');
    expect(doubled.pValue).toBeCloseTo(expected, 12);
  });
});

describe('pairedPermutationTest edge cases', () => {
  it('is 1 when no task could have come out otherwise', () => {
    expect(pairedPermutationTest(pairsOf([[3, 3, 3, 3], [0, 2, 0, 3]])).pValue).toBe(1);
    expect(pairedPermutationTest([]).pValue).toBe(1);
  });

  it('does not depend on the order of the tasks', () => {
    const tasks: Counts[] = [[10, 10, 6, 10], [9, 10, 5, 10], [7, 10, 7, 10], [8, 10, 4, 10]];
    expect(pairedPermutationTest(pairsOf([...tasks].reverse())).pValue).toBeCloseTo(pairedPermutationTest(pairsOf(tasks)).pValue, 14);
  });

  it('is symmetric in which run is better', () => {
    const tasks: Counts[] = [[0, 2, 4, 4], [1, 2, 3, 4], [0, 2, 2, 4], [2, 2, 4, 4], [1, 2, 4, 4]];
    // Swapping the runs' labels mirrors the statistic, so the same two-sided p-value.
    const swapped = tasks.map(([cB, nB, cV, nV]): Counts => [cV, nV, cB, nB]);
    expect(pairedPermutationTest(pairsOf(swapped)).pValue).toBeCloseTo(0.024098765432098764, 12);
  });

  it('falls back to the normal approximation when repeat counts make the lattice too fine', () => {
    // lcm(1..20) scales the statistic past any exact budget.
    const tasks: Counts[] = Array.from({ length: 40 }, (_, i): Counts => [i % 2, 1 + (i % 20), Math.min(1 + (i % 20), 1 + (i % 3)), 1 + (i % 20)]);
    expect(pairedPermutationTest(pairsOf(tasks)).method).toBe('normal_approximation');
  });
});
