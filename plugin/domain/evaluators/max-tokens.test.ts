import { describe, expect, it } from 'vitest';
import { evaluateMaxTokens, maxTokensSchema } from './max-tokens.js';

const config = maxTokensSchema.parse({ type: 'max_tokens', value: 1000 });

describe('max_tokens', () => {
  it('passes at or under the limit', () => {
    expect(evaluateMaxTokens(config, { output: 'x', totalTokens: 1000 })).toEqual({
      evaluator: 'max_tokens',
      score: 1,
      passed: true,
      reason: 'used 1000 tokens, within the limit of 1000',
    });
  });

  it('fails over the limit', () => {
    expect(evaluateMaxTokens(config, { output: 'x', totalTokens: 1001 })).toMatchObject({
      passed: false,
      reason: 'used 1001 tokens, over the limit of 1000',
    });
  });

  it('fails when the trace records no usage', () => {
    expect(evaluateMaxTokens(config, { output: 'x', totalTokens: null })).toMatchObject({
      passed: false,
      score: null,
      reason: 'the trace records no token usage',
    });
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(maxTokensSchema.safeParse({ type: 'max_tokens', value: 10.5 }).success).toBe(false);
    expect(maxTokensSchema.safeParse({ type: 'max_tokens', value: -1 }).success).toBe(false);
  });
});
