import { describe, expect, it } from 'vitest';
import { judgeVariants } from './variant-verdicts.js';

describe('judgeVariants', () => {
  it('adjusts across the variants compared, leaving the others out of the family', () => {
    // statsmodels.stats.multitest.multipletests([0.01, 0.04, 0.03], method='holm')[1] = [0.03, 0.06, 0.06]
    const judged = judgeVariants([{ pValue: 0.01, points: 7.5 }, null, { pValue: 0.04, points: -3 }, { pValue: 0.03, points: 2 }]);
    expect(judged.map((j) => j?.pAdjusted ?? null)).toEqual([expect.closeTo(0.03, 12), null, expect.closeTo(0.06, 12), expect.closeTo(0.06, 12)]);
    expect(judged.map((j) => j?.verdict ?? null)).toEqual(['better', null, 'no_difference', 'no_difference']);
  });

  it('follows the direction of the paired change', () => {
    expect(judgeVariants([{ pValue: 0.001, points: -12 }])[0]?.verdict).toBe('worse');
    expect(judgeVariants([{ pValue: 0.001, points: 12 }], 0.0005)[0]?.verdict).toBe('no_difference');
    expect(judgeVariants([])).toEqual([]);
  });
});
