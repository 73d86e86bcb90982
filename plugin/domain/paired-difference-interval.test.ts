import { describe, expect, it } from 'vitest';
import { pairedDifferenceInterval } from './paired-difference-interval.js';
import type { PairedTask } from './paired-tasks.js';

type Counts = [number, number, number, number];
const pairsOf = (tasks: readonly Counts[]): PairedTask[] =>
  tasks.map(([cB, nB, cV, nV], i) => ({
    taskId: `t${i}`,
    baseline: { taskId: `t${i}`, passes: cB, finished: nB },
    variant: { taskId: `t${i}`, passes: cV, finished: nV },
  }));
/** A paired 2×2 table of single runs: both pass, only the variant passes, only the baseline passes, neither. */
const table = (both: number, variantOnly: number, baselineOnly: number, neither: number): PairedTask[] =>
  pairsOf([
    ...Array<Counts>(both).fill([1, 1, 1, 1]),
    ...Array<Counts>(variantOnly).fill([0, 1, 1, 1]),
    ...Array<Counts>(baselineOnly).fill([1, 1, 0, 1]),
    ...Array<Counts>(neither).fill([0, 1, 0, 1]),
  ]);

describe('pairedDifferenceInterval', () => {
  it("is Newcombe's square-and-add interval on a published example", () => {
    // Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency Tables" (2017), ch. 8, Cavo et al. (2012):
    // contingencytables::Newcombe_square_and_add_CI_paired_2x2(matrix(c(59, 6, 16, 80), 2, byrow = TRUE)) prints
    // "estimate = -0.0621 (95% CI -0.1186 to -0.0046)" (the package's own test, tests/testthat/test-ch8.R).
    const interval = pairedDifferenceInterval(table(59, 6, 16, 80))!;
    expect(interval.low).toBeCloseTo(-0.1186, 4);
    expect(interval.high).toBeCloseTo(-0.0046, 4);
  });

  // Python 3, numpy 2, statsmodels 0.15 (/work/stats-scratch/reference_interval.py, function newcombe): each rate's
  // Wilson interval from proportion_confint(p · n_eff, n_eff, method='wilson'), the correlation of the per-task
  // fractions with a positive covariance shrunk by 1/(2T), then the square-and-add limits.
  it.each<[string, PairedTask[], number, number]>([
    ['Cavo et al., all digits', table(59, 6, 16, 80), -0.11862119563871, -0.004625113933050012],
    ['Bentur et al.', table(1, 1, 7, 12), -0.506920226686141, -0.025559124164859837],
    ['negative correlation', table(2, 10, 9, 1), -0.31882562658365987, 0.3971685836802141],
    ['correlation shrunk to 0', table(5, 4, 4, 5), -0.2965461377649839, 0.2965461377649839],
    ['3 repeats each', pairsOf([[3, 3, 2, 3], [1, 3, 3, 3], [0, 3, 1, 3], [2, 3, 3, 3], [3, 3, 3, 3], [0, 3, 0, 3], [1, 3, 2, 3]]), -0.15178148983577228, 0.47620896702251103],
    ['baseline once, variant 3 times', pairsOf([[1, 1, 2, 3], [0, 1, 3, 3], [1, 1, 3, 3], [0, 1, 0, 3], [1, 1, 1, 3], [0, 1, 2, 3]]), -0.30551678259325443, 0.4927147531740206],
  ])('%s', (_name, pairs, low, high) => {
    const interval = pairedDifferenceInterval(pairs)!;
    expect(interval.low).toBeCloseTo(low, 10);
    expect(interval.high).toBeCloseTo(high, 10);
  });

  it('mirrors when the runs swap places', () => {
    const forward = pairedDifferenceInterval(table(59, 6, 16, 80))!;
    const backward = pairedDifferenceInterval(table(59, 16, 6, 80))!;
    expect(backward.low).toBeCloseTo(-forward.high, 12);
    expect(backward.high).toBeCloseTo(-forward.low, 12);
  });

  it('stays within −1 to 1 and contains the observed difference', () => {
    const all = pairedDifferenceInterval(table(0, 12, 0, 0))!;
    expect(all.high).toBe(1);
    expect(all.low).toBeGreaterThan(0);
    const none = pairedDifferenceInterval(table(7, 0, 0, 3))!;
    expect(none.low).toBeLessThan(0);
    expect(none.high).toBeGreaterThan(0);
    expect(pairedDifferenceInterval([])).toBeNull();
  });
});
