import { describe, expect, it } from 'vitest';
import { evaluateOutputMatch, outputMatchSchema, similarity } from './output-match.js';

const outputMatch = (settings: Record<string, unknown>) => outputMatchSchema.parse({ type: 'output_match', ...settings });

describe('similarity', () => {
  it('is 1 − edit distance ÷ longer length', () => {
    // kitten → sitting: the textbook Levenshtein distance of 3, over 7 characters
    expect(similarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 12);
    expect(similarity(' same ', 'same')).toBe(1);
    expect(similarity('', '')).toBe(1);
    expect(similarity('abc', '')).toBe(0);
  });
});

describe('output_match', () => {
  it('passes at or above the threshold, against the task expected output', () => {
    const result = evaluateOutputMatch(outputMatch({ threshold: 0.5 }), { output: 'kitten', expected: 'sitting' });
    expect(result).toMatchObject({
      evaluator: 'output_match',
      passed: true,
      reason: 'similarity to the expected output is 0.57 (at least 0.5)',
    });
    expect(result.score).toBeCloseTo(4 / 7, 12);
  });

  it('fails below the threshold', () => {
    expect(evaluateOutputMatch(outputMatch({ threshold: 0.9 }), { output: 'kitten', expected: 'sitting' })).toMatchObject({
      passed: false,
      reason: 'similarity to the expected output is 0.57 (below 0.9)',
    });
  });

  it('lets the evaluation override the expected output', () => {
    const config = outputMatch({ threshold: 1, expected: 'Paris' });
    expect(evaluateOutputMatch(config, { output: 'Paris', expected: 'London' }).passed).toBe(true);
  });

  it('fails when there is nothing to compare', () => {
    expect(evaluateOutputMatch(outputMatch({ threshold: 0.5 }), { output: 'Paris' })).toEqual({
      evaluator: 'output_match',
      score: null,
      passed: false,
      reason: 'the task has no expected output to compare with',
    });
    expect(evaluateOutputMatch(outputMatch({ threshold: 0.5 }), { output: null, expected: 'x' }).reason).toBe('the trace has no output');
  });

  it('refuses a threshold outside 0–1 or missing', () => {
    expect(outputMatchSchema.safeParse({ type: 'output_match', threshold: 1.5 }).success).toBe(false);
    expect(outputMatchSchema.safeParse({ type: 'output_match', threshold: -0.1 }).success).toBe(false);
    expect(outputMatchSchema.safeParse({ type: 'output_match' }).success).toBe(false);
  });
});
