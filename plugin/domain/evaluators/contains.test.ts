import { describe, expect, it } from 'vitest';
import { containsSchema, evaluateContains, evaluateNotContains, notContainsSchema } from './contains.js';

const contains = (settings: Record<string, unknown>) => containsSchema.parse({ type: 'contains', ...settings });
const notContains = (settings: Record<string, unknown>) => notContainsSchema.parse({ type: 'not_contains', ...settings });

describe('contains', () => {
  it('passes when the value is in the output', () => {
    expect(evaluateContains(contains({ value: 'refund' }), { output: 'We will refund you.' })).toEqual({
      evaluator: 'contains',
      score: 1,
      passed: true,
      reason: 'output contains "refund"',
    });
  });

  it('fails when it is not, and is case-sensitive unless told', () => {
    const result = evaluateContains(contains({ value: 'refund' }), { output: 'A REFUND is on its way.' });
    expect(result).toMatchObject({ passed: false, score: 0, reason: 'output does not contain "refund"' });
    expect(evaluateContains(contains({ value: 'refund', ignoreCase: true }), { output: 'A REFUND.' }).passed).toBe(true);
  });

  it('fails without an output', () => {
    expect(evaluateContains(contains({ value: 'refund' }), { output: null })).toEqual({
      evaluator: 'contains',
      score: null,
      passed: false,
      reason: 'the trace has no output',
    });
  });

  it('refuses an empty or missing value and unknown settings', () => {
    expect(containsSchema.safeParse({ type: 'contains', value: '' }).success).toBe(false);
    expect(containsSchema.safeParse({ type: 'contains' }).success).toBe(false);
    expect(containsSchema.safeParse({ type: 'contains', value: 'x', caseInsensitive: true }).success).toBe(false);
  });
});

describe('not_contains', () => {
  it('passes when the value is absent', () => {
    expect(evaluateNotContains(notContains({ value: 'sorry' }), { output: 'Done.' })).toMatchObject({
      evaluator: 'not_contains',
      passed: true,
      reason: 'output does not contain "sorry"',
    });
  });

  it('fails when the value is present, ignoring case when told', () => {
    expect(evaluateNotContains(notContains({ value: 'sorry', ignoreCase: true }), { output: 'Sorry!' })).toMatchObject({
      passed: false,
      score: 0,
      reason: 'output contains "sorry"',
    });
  });

  it('fails without an output rather than passing vacuously', () => {
    expect(evaluateNotContains(notContains({ value: 'sorry' }), { output: null }).passed).toBe(false);
  });

  it('refuses a value that is not a string', () => {
    expect(notContainsSchema.safeParse({ type: 'not_contains', value: 3 }).success).toBe(false);
  });
});
