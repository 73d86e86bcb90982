import { describe, expect, it } from 'vitest';
import { evaluateRegex, regexSchema } from './regex.js';

const regex = (settings: Record<string, unknown>) => regexSchema.parse({ type: 'regex', ...settings });

describe('regex', () => {
  it('passes when the pattern matches', () => {
    expect(evaluateRegex(regex({ pattern: '^\\d+$' }), { output: '42' })).toEqual({
      evaluator: 'regex',
      score: 1,
      passed: true,
      reason: 'output matches /^\\d+$/',
    });
  });

  it('fails when it does not, and honours flags', () => {
    expect(evaluateRegex(regex({ pattern: 'order #\\d+' }), { output: 'ORDER #12' })).toMatchObject({
      passed: false,
      reason: 'output does not match /order #\\d+/',
    });
    expect(evaluateRegex(regex({ pattern: 'order #\\d+', flags: 'i' }), { output: 'ORDER #12' }).passed).toBe(true);
  });

  it('gives the same answer every time with the g flag', () => {
    const config = regex({ pattern: 'a', flags: 'g' });
    expect([1, 2, 3].map(() => evaluateRegex(config, { output: 'a' }).passed)).toEqual([true, true, true]);
  });

  it('fails without an output', () => {
    expect(evaluateRegex(regex({ pattern: '.*' }), { output: null })).toMatchObject({ passed: false, reason: 'the trace has no output' });
  });

  it('refuses a pattern or flags that do not compile', () => {
    const bad = regexSchema.safeParse({ type: 'regex', pattern: '(unclosed' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['pattern'] });
    expect(bad.error?.issues[0]?.message).toMatch(/^not a valid regular expression/);
    expect(regexSchema.safeParse({ type: 'regex', pattern: 'a', flags: 'q' }).success).toBe(false);
    expect(regexSchema.safeParse({ type: 'regex', pattern: '' }).success).toBe(false);
  });
});
