import { describe, expect, it } from 'vitest';
import type { ApiResults, ApiVariantResult } from '../api/api-types.js';
import { checkGates } from './gate-check.js';

const result = (overrides: Partial<ApiVariantResult>): ApiVariantResult => ({
  variantId: 'v',
  name: 'v',
  parentId: 'b',
  isBaseline: false,
  change: null,
  runId: 'r',
  runNumber: 1,
  status: 'completed',
  completedAt: '2026-12-01T00:00:00Z',
  total: 40,
  passed: 30,
  failed: 10,
  errored: 0,
  timedOut: 0,
  passRate: 0.75,
  interval: { low: 0.6, high: 0.86 },
  vsBaseline: null,
  ...overrides,
});
const comparison = (verdict: 'better' | 'worse' | 'no_difference', points: number) => ({
  relative: points / 80,
  points,
  regressions: verdict === 'worse' ? 9 : 1,
  improvements: verdict === 'better' ? 9 : 1,
  pValue: 0.004,
  pAdjusted: verdict === 'no_difference' ? 0.6 : 0.008,
  verdict,
});

const results: ApiResults = {
  experimentId: 'e',
  baselineVariantId: 'b',
  variants: [
    result({ variantId: 'b', name: 'Baseline', parentId: null, isBaseline: true, passed: 32, passRate: 0.8 }),
    result({ variantId: 'w', name: 'worse one', passed: 20, passRate: 0.5, vsBaseline: comparison('worse', -30) }),
    result({ variantId: 'n', name: 'same one', vsBaseline: comparison('no_difference', -5) }),
    result({ variantId: 'r', name: 'running one', status: 'running', runNumber: 2, vsBaseline: null }),
    result({ variantId: 'x', name: 'never run', runId: null, runNumber: null, status: null, passRate: null, interval: null }),
  ],
};
const ids = new Map([
  ['worse one', 'w'],
  ['same one', 'n'],
  ['running one', 'r'],
  ['never run', 'x'],
]);

describe('checkGates', () => {
  it('fails `worse` only on a worse verdict, `not_better` on anything but better, and a floor below it', () => {
    const outcomes = checkGates(
      [
        { variant: 'worse one', failIf: 'worse' },
        { variant: 'same one', failIf: 'worse' },
        { variant: 'same one', failIf: 'not_better' },
        { variant: 'baseline', minPassRate: 0.8 },
        { variant: 'worse one', minPassRate: 0.6 },
      ],
      results,
      ids,
    );
    expect(outcomes.map((outcome) => [outcome.variant, outcome.status, outcome.reasons])).toEqual([
      ['worse one', 'failed', ['worse than the baseline (−30.0 pts, 9 regressed / 1 improved tasks, p (Holm) = 0.008)']],
      ['same one', 'passed', ['no difference (−5.0 pts, 1 regressed / 1 improved tasks, p (Holm) = 0.600)']],
      ['same one', 'failed', ['not better than the baseline: no difference (−5.0 pts, 1 regressed / 1 improved tasks, p (Holm) = 0.600)']],
      ['baseline', 'passed', ['pass rate 80.0% (32/40)']],
      ['worse one', 'failed', ['pass rate 50.0% (20/40) is below the floor of 60.0%']],
    ]);
  });

  it('never passes a gate it cannot decide: a run not completed, a variant never run or missing', () => {
    const outcomes = checkGates(
      [
        { variant: 'running one', failIf: 'worse', minPassRate: 0.1 },
        { variant: 'never run', failIf: 'worse' },
        { variant: 'not on the server', minPassRate: 0.1 },
      ],
      results,
      ids,
    );
    expect(outcomes.map((outcome) => [outcome.status, outcome.reasons])).toEqual([
      [
        'undecided',
        [
          "cannot compare with the baseline: the variant's run #2 running without completing",
          "no pass rate: the variant's run #2 running without completing",
        ],
      ],
      ['undecided', ['cannot compare with the baseline: the variant has not run']],
      ['undecided', ['no pass rate: the variant has not been created on the server yet']],
    ]);
  });

  it('gives a failed gate its failing reason first', () => {
    const [outcome] = checkGates([{ variant: 'same one', failIf: 'worse', minPassRate: 0.9 }], results, ids);
    expect(outcome).toMatchObject({ status: 'failed', title: 'not worse than the baseline; pass rate ≥ 90.0%' });
    expect(outcome!.reasons[0]).toBe('pass rate 75.0% (30/40) is below the floor of 90.0%');
  });
});
