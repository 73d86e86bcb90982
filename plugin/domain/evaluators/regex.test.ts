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

  it('refuses what RE2 cannot match in linear time, saying so', () => {
    for (const pattern of ['(a)\\1', 'foo(?=bar)']) {
      const refused = regexSchema.safeParse({ type: 'regex', pattern });
      expect(refused.success).toBe(false);
      expect(refused.error?.issues[0]?.message).toMatch(/^not a valid regular expression \(RE2 syntax\)/);
    }
  });

  it('matches a pattern that would backtrack catastrophically in linear time', () => {
    // JavaScript's RegExp would backtrack here for longer than the test's timeout (for ever, in practice).
    const config = regex({ pattern: '^(a+)+$' });
    expect(evaluateRegex(config, { output: `${'a'.repeat(50_000)}!` }).passed).toBe(false);
    expect(evaluateRegex(config, { output: 'aaaa' }).passed).toBe(true);
  });

  it('honours the m and s flags', () => {
    expect(evaluateRegex(regex({ pattern: '^second$', flags: 'm' }), { output: 'first\nsecond' }).passed).toBe(true);
    expect(evaluateRegex(regex({ pattern: '^second$' }), { output: 'first\nsecond' }).passed).toBe(false);
    expect(evaluateRegex(regex({ pattern: 'a.b', flags: 's' }), { output: 'a\nb' }).passed).toBe(true);
    expect(evaluateRegex(regex({ pattern: 'a.b' }), { output: 'a\nb' }).passed).toBe(false);
  });
});
