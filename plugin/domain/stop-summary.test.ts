import { describe, expect, it } from 'vitest';
import { stopSummary } from './stop-summary.js';

describe('stopSummary', () => {
  it('says where the verdict was decided and what was spared', () => {
    expect(stopSummary({ reason: 'stopped_early', status: 'decided', verdict: 'worse', afterTasks: 74, totalTasks: 500, notSent: 426, savedCost: 3.2 })).toBe(
      'decided worse after 74 of 500 tasks; 426 tests not sent (about $3.20 saved)',
    );
    expect(stopSummary({ reason: 'stopped_early', status: 'undecidable', verdict: 'no_difference', afterTasks: 22, totalTasks: 40, notSent: 18, savedCost: null })).toBe(
      'no difference can be shown after 22 of 40 tasks; 18 tests not sent',
    );
  });

  it('says which cap the spend reached', () => {
    expect(
      stopSummary({ reason: 'budget_reached', spent: { cost: 0.0123, tokens: 1500 }, limit: { maxCost: 0.01, maxTokens: null }, notSent: 1, savedCost: 0.0004 }),
    ).toBe('budget reached (spent $0.01 and 1,500 tokens of $0.01); 1 test not sent (about $0.00040 saved)');
  });
});
