import { describe, expect, it } from 'vitest';
import { equalsSchema, evaluateEquals } from './equals.js';

const equals = (settings: Record<string, unknown>) => equalsSchema.parse({ type: 'equals', ...settings });

describe('equals', () => {
  it('trims by default', () => {
    expect(evaluateEquals(equals({ value: 'yes' }), { output: '  yes\n' })).toEqual({
      evaluator: 'equals',
      score: 1,
      passed: true,
      reason: 'output equals "yes"',
    });
  });

  it('fails on a different output, quoting it on one line', () => {
    expect(evaluateEquals(equals({ value: 'yes' }), { output: 'no\nway' })).toMatchObject({
      passed: false,
      score: 0,
      reason: 'output "no\\nway" does not equal "yes"',
    });
  });

  it('applies ignoreCase, trim: false and collapseWhitespace', () => {
    expect(evaluateEquals(equals({ value: 'Yes' }), { output: 'yes' }).passed).toBe(false);
    expect(evaluateEquals(equals({ value: 'Yes', ignoreCase: true }), { output: 'yES' }).passed).toBe(true);
    expect(evaluateEquals(equals({ value: 'yes', trim: false }), { output: ' yes' }).passed).toBe(false);
    expect(evaluateEquals(equals({ value: 'a b c' }), { output: 'a  b\n\tc' }).passed).toBe(false);
    expect(evaluateEquals(equals({ value: 'a b c', collapseWhitespace: true }), { output: 'a  b\n\tc' }).passed).toBe(true);
  });

  it('cuts a long output in the reason', () => {
    const { reason } = evaluateEquals(equals({ value: 'short' }), { output: 'x'.repeat(500) });
    expect(reason.length).toBeLessThan(120);
  });

  it('fails without an output', () => {
    expect(evaluateEquals(equals({ value: '' }), { output: null })).toMatchObject({ passed: false, reason: 'the trace has no output' });
  });

  it('refuses bad settings', () => {
    expect(equalsSchema.safeParse({ type: 'equals' }).success).toBe(false);
    expect(equalsSchema.safeParse({ type: 'equals', value: 'x', trim: 'yes' }).success).toBe(false);
  });
});
