import { describe, expect, it } from 'vitest';
import { shippedModelPrices } from './model-prices.js';
import { priceCalls, type ModelCall } from './usage-cost.js';

const call = (c: Partial<ModelCall>): ModelCall => ({ model: null, inputTokens: null, outputTokens: null, totalTokens: null, reportedCost: null, ...c });

describe('priceCalls', () => {
  it('has no cost and nothing to say without calls', () => {
    expect(priceCalls([], shippedModelPrices)).toEqual({ cost: null, costNote: null });
  });

  it('adds reported costs and priced tokens (gpt-4o-mini: $0.15 / $0.60 per million)', () => {
    const priced = priceCalls(
      [call({ model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100 }), call({ model: 'whatever', reportedCost: 0.01 })],
      shippedModelPrices,
    );
    expect(priced.costNote).toBeNull();
    expect(priced.cost).toBeCloseTo(0.00015 + 0.00006 + 0.01, 12);
  });

  it('takes a reported cost of zero as free, and a call without usage as nothing', () => {
    expect(priceCalls([call({ reportedCost: 0 }), call({ model: 'gpt-4o' })], shippedModelPrices)).toEqual({ cost: 0, costNote: null });
  });

  it('names every model it cannot price, once, and gives no partial sum', () => {
    const calls = [
      call({ model: 'acme-1', inputTokens: 1, outputTokens: 1 }),
      call({ model: 'gpt-4o', inputTokens: 1, outputTokens: 1 }),
      call({ model: 'acme-1', inputTokens: 2, outputTokens: 2 }),
      call({ model: 'acme-2', outputTokens: 2 }),
    ];
    expect(priceCalls(calls, shippedModelPrices)).toEqual({ cost: null, costNote: 'unknown model acme-1; unknown model acme-2' });
  });
});

describe('priceCalls, names from traces', () => {
  it('shows a long or unprintable model name short and storable', () => {
    const { costNote } = priceCalls([call({ model: `acme\u0000\n\ud800${'x'.repeat(200)}`, inputTokens: 1, outputTokens: 1 })], shippedModelPrices);
    expect(costNote).toBe(`unknown model acme   ${'x'.repeat(93)}…`);
  });
});
