import { describe, expect, it } from 'vitest';
import { evaluateJsonValid, jsonValidSchema } from './json-valid.js';

const config = jsonValidSchema.parse({ type: 'json_valid' });

describe('json_valid', () => {
  it('passes on JSON', () => {
    expect(evaluateJsonValid(config, { output: ' {"answer": 42} ' })).toEqual({
      evaluator: 'json_valid',
      score: 1,
      passed: true,
      reason: 'output is valid JSON',
    });
  });

  it('fails on text that is not JSON, saying why on one line', () => {
    const result = evaluateJsonValid(config, { output: '```json\n{"answer": 42}\n```' });
    expect(result).toMatchObject({ passed: false, score: 0 });
    expect(result.reason).toMatch(/^output is not valid JSON: /);
    expect(result.reason).not.toContain('\n');
  });

  it('fails without an output', () => {
    expect(evaluateJsonValid(config, { output: null })).toMatchObject({ passed: false, reason: 'the trace has no output' });
  });

  it('refuses settings it does not have', () => {
    expect(jsonValidSchema.safeParse({ type: 'json_valid', strict: true }).success).toBe(false);
  });
});
