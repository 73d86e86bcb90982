import { describe, expect, it } from 'vitest';
import { costOf, findModelPrice, mergePriceTables, priceTableSchema, projectPriceTable, shippedModelPrices } from './model-prices.js';

describe('findModelPrice', () => {
  it('finds a model by its exact name, whatever its case', () => {
    expect(findModelPrice(shippedModelPrices, 'gpt-4o-mini')).toEqual({ inputPerMillion: 0.15, outputPerMillion: 0.6 });
    expect(findModelPrice(shippedModelPrices, ' GPT-4o ')).toEqual({ inputPerMillion: 2.5, outputPerMillion: 10 });
  });

  it('prices dated and versioned releases as their model', () => {
    expect(findModelPrice(shippedModelPrices, 'gpt-4o-2024-08-06')).toEqual(shippedModelPrices['gpt-4o']);
    expect(findModelPrice(shippedModelPrices, 'gpt-4o-mini-2024-07-18')).toEqual(shippedModelPrices['gpt-4o-mini']);
    expect(findModelPrice(shippedModelPrices, 'claude-3-5-sonnet-20241022')).toEqual(shippedModelPrices['claude-3-5-sonnet']);
    expect(findModelPrice(shippedModelPrices, 'claude-sonnet-4-5@20250929')).toEqual(shippedModelPrices['claude-sonnet-4-5']);
    expect(findModelPrice(shippedModelPrices, 'gemini-1.5-pro-002')).toEqual(shippedModelPrices['gemini-1.5-pro']);
    expect(findModelPrice(shippedModelPrices, 'gpt-4o-mini-latest')).toEqual(shippedModelPrices['gpt-4o-mini']);
  });

  it('strips provider prefixes of gateways and clouds', () => {
    expect(findModelPrice(shippedModelPrices, 'openai/gpt-4.1-mini')).toEqual(shippedModelPrices['gpt-4.1-mini']);
    expect(findModelPrice(shippedModelPrices, 'models/gemini-2.5-pro')).toEqual(shippedModelPrices['gemini-2.5-pro']);
    expect(findModelPrice(shippedModelPrices, 'us.anthropic.claude-3-5-sonnet-20241022-v2:0')).toEqual(
      shippedModelPrices['claude-3-5-sonnet'],
    );
  });

  it('never prices one model as another of its family', () => {
    // gpt-4o-mini starts with gpt-4o, but "-mini" is not a release suffix.
    expect(findModelPrice({ 'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 } }, 'gpt-4o-mini')).toBeNull();
    expect(findModelPrice(shippedModelPrices, 'gpt-4o-audio-preview-x')).toBeNull();
    expect(findModelPrice(shippedModelPrices, 'o3-pro')).toBeNull();
  });

  it('says nothing of models it does not know', () => {
    expect(findModelPrice(shippedModelPrices, 'my-fine-tune')).toBeNull();
    expect(findModelPrice(shippedModelPrices, '')).toBeNull();
  });

  it('uses a longer known model before a shorter one it extends', () => {
    const table = {
      'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
      'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
    };
    expect(findModelPrice(table, 'gpt-4.1-mini-2025-04-14')).toEqual(table['gpt-4.1-mini']);
    expect(findModelPrice(table, 'gpt-4.1-2025-04-14')).toEqual(table['gpt-4.1']);
  });
});

describe('mergePriceTables', () => {
  it('lets a later table add and override models, case-insensitively', () => {
    const merged = mergePriceTables(shippedModelPrices, {
      'GPT-4o': { inputPerMillion: 1, outputPerMillion: 2 },
      'my-fine-tune': { inputPerMillion: 3, outputPerMillion: 6 },
    });
    expect(findModelPrice(merged, 'gpt-4o')).toEqual({ inputPerMillion: 1, outputPerMillion: 2 });
    expect(findModelPrice(merged, 'my-fine-tune')).toEqual({ inputPerMillion: 3, outputPerMillion: 6 });
    expect(findModelPrice(merged, 'gpt-4o-mini')).toEqual(shippedModelPrices['gpt-4o-mini']);
  });
});

describe('costOf', () => {
  it('charges input and output tokens at their own prices', () => {
    // 1,200 input tokens at $0.15/M and 300 output tokens at $0.60/M: 0.00018 + 0.00018 dollars.
    expect(costOf({ inputPerMillion: 0.15, outputPerMillion: 0.6 }, { input: 1200, output: 300 })).toBeCloseTo(0.00036, 12);
    expect(costOf({ inputPerMillion: 2.5, outputPerMillion: 10 }, { input: 1_000_000, output: 1_000_000 })).toBe(12.5);
  });

  it('counts a missing side as nothing, and knows nothing when both are missing', () => {
    expect(costOf({ inputPerMillion: 2, outputPerMillion: 8 }, { input: null, output: 500 })).toBeCloseTo(0.004, 12);
    expect(costOf({ inputPerMillion: 2, outputPerMillion: 8 }, { input: null, output: null })).toBeNull();
  });
});

describe('priceTableSchema', () => {
  it('accepts a table of prices', () => {
    expect(priceTableSchema.parse({ 'my-model': { inputPerMillion: 1, outputPerMillion: 4 } })).toEqual({
      'my-model': { inputPerMillion: 1, outputPerMillion: 4 },
    });
  });

  it('refuses negative, missing or extra fields, and blank names', () => {
    expect(priceTableSchema.safeParse({ m: { inputPerMillion: -1, outputPerMillion: 1 } }).success).toBe(false);
    expect(priceTableSchema.safeParse({ m: { inputPerMillion: 1 } }).success).toBe(false);
    expect(priceTableSchema.safeParse({ m: { inputPerMillion: 1, outputPerMillion: 1, cached: 1 } }).success).toBe(false);
    expect(priceTableSchema.safeParse({ ' ': { inputPerMillion: 1, outputPerMillion: 1 } }).success).toBe(false);
    expect(priceTableSchema.safeParse([]).success).toBe(false);
  });
});

describe('projectPriceTable', () => {
  const host = { 'host-model': { inputPerMillion: 1, outputPerMillion: 2 } };

  it('merges shipped, host and project prices, the project last', () => {
    const table = projectPriceTable(host, { 'GPT-4o': { inputPerMillion: 9, outputPerMillion: 9 } });
    expect(findModelPrice(table, 'gpt-4o')).toEqual({ inputPerMillion: 9, outputPerMillion: 9 });
    expect(findModelPrice(table, 'Host-Model-2025-01-01')).toEqual(host['host-model']);
    expect(findModelPrice(table, 'gpt-4o-mini')).toEqual(shippedModelPrices['gpt-4o-mini']);
  });

  it('merges once for the same prices and again when the project changes them', () => {
    const first = projectPriceTable(host, { 'my-model': { inputPerMillion: 1, outputPerMillion: 1 } });
    // The same prices as a new object, as each read of the project's row gives them.
    expect(projectPriceTable(host, { 'my-model': { inputPerMillion: 1, outputPerMillion: 1 } })).toBe(first);
    const changed = projectPriceTable(host, { 'my-model': { inputPerMillion: 5, outputPerMillion: 5 } });
    expect(changed).not.toBe(first);
    expect(findModelPrice(changed, 'my-model')).toEqual({ inputPerMillion: 5, outputPerMillion: 5 });
    expect(findModelPrice(projectPriceTable({ 'my-model': { inputPerMillion: 7, outputPerMillion: 7 } }, null), 'my-model')).toEqual({ inputPerMillion: 7, outputPerMillion: 7 });
  });

  it('leaves out a stored project table that no longer passes the schema', () => {
    expect(findModelPrice(projectPriceTable(undefined, { 'gpt-4o': { inputPerMillion: -1 } }), 'gpt-4o')).toEqual(shippedModelPrices['gpt-4o']);
  });
});
