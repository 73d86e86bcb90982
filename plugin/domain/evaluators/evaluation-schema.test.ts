import { describe, expect, it } from 'vitest';
import { ExperimentsError } from '../../errors.js';
import { EVALUATION_TYPES, parseEvaluations } from './evaluation-schema.js';

describe('parseEvaluations', () => {
  it('parses every type and applies defaults', () => {
    const parsed = parseEvaluations([
      { type: 'contains', value: 'refund' },
      { type: 'not_contains', value: 'sorry' },
      { type: 'equals', value: 'yes', ignoreCase: true },
      { type: 'regex', pattern: '^\\d+$' },
      { type: 'json_valid' },
      { type: 'json_schema', schema: { type: 'object' } },
      { type: 'output_match', threshold: 0.8 },
      { type: 'max_latency_ms', value: 2000 },
      { type: 'max_tokens', value: 4000 },
      { type: 'llm_judge', criterion: 'Is polite.' },
    ]);
    expect(parsed.map((e) => e.type)).toEqual(EVALUATION_TYPES);
    expect(parsed[0]).toEqual({ type: 'contains', value: 'refund', ignoreCase: false });
    expect(parsed[2]).toEqual({ type: 'equals', value: 'yes', ignoreCase: true, trim: true, collapseWhitespace: false });
    expect(parsed[9]).toEqual({ type: 'llm_judge', criterion: 'Is polite.', threshold: 0.7 });
  });

  it('accepts an empty list', () => {
    expect(parseEvaluations([])).toEqual([]);
  });

  it('names every bad entry by index', () => {
    const list = [
      { type: 'contains', value: 'ok' },
      { type: 'regex', pattern: '(' },
      { type: 'bogus' },
      { type: 'output_match', threshold: 2 },
      { type: 'contains', value: 'x', caseInsensitive: true },
      { type: 'max_tokens' },
      'contains',
    ];
    let error: unknown;
    try {
      parseEvaluations(list);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExperimentsError);
    const { code, message, details } = error as ExperimentsError;
    expect(code).toBe('unprocessable');
    const issues = (details as { issues: Array<{ index: number; path: string; message: string }> }).issues;
    expect(issues.map((i) => [i.index, i.path])).toEqual([
      [1, 'evaluations[1].pattern'],
      [2, 'evaluations[2].type'],
      [3, 'evaluations[3].threshold'],
      [4, 'evaluations[4]'],
      [5, 'evaluations[5].value'],
      [6, 'evaluations[6].type'],
    ]);
    expect(issues[1]?.message).toMatch(/^unknown evaluation \(type "bogus"\); expected one of contains, not_contains/);
    expect(issues[3]?.message).toBe('unknown setting "caseInsensitive"');
    expect(issues[4]?.message).toBe('is required (number)');
    expect(issues[5]?.message).toMatch(/^unknown evaluation \(not an object\)/);
    expect(message).toMatch(/^Invalid evaluations: evaluations\[1\]\.pattern: not a valid regular expression/);
  });

  it('refuses something that is not a list, under the field name given', () => {
    expect(() => parseEvaluations({ type: 'contains' }, 'defaultEvaluations')).toThrow('defaultEvaluations must be a list of evaluations.');
  });
});
