import { describe, expect, it } from 'vitest';
import { ExperimentsError } from '../../errors.js';
import { buildJudgeMessages, llmJudgeSchema, parseJudgeReply } from './llm-judge.js';

describe('llm_judge settings', () => {
  it('defaults the threshold to 0.7', () => {
    expect(llmJudgeSchema.parse({ type: 'llm_judge', criterion: 'Is polite.' })).toEqual({
      type: 'llm_judge',
      criterion: 'Is polite.',
      threshold: 0.7,
    });
  });

  it('refuses an empty criterion, a threshold outside 0–1 and an empty model', () => {
    expect(llmJudgeSchema.safeParse({ type: 'llm_judge', criterion: '  ' }).success).toBe(false);
    expect(llmJudgeSchema.safeParse({ type: 'llm_judge', criterion: 'x', threshold: 7 }).success).toBe(false);
    expect(llmJudgeSchema.safeParse({ type: 'llm_judge', criterion: 'x', model: '' }).success).toBe(false);
  });
});

describe('buildJudgeMessages', () => {
  it('puts the criterion, input, output and expected output in the user message and asks for strict JSON', () => {
    const [system, user] = buildJudgeMessages(
      'Mentions the refund policy.',
      'Can I get my money back?',
      'Yes, within 30 days.',
      'Refunds within 30 days.',
    );
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('{"score": <number from 0 to 1>, "reason": "<one sentence>"}');
    expect(user?.role).toBe('user');
    expect(user?.content).toContain('<criterion>\nMentions the refund policy.\n</criterion>');
    expect(user?.content).toContain('<input>\nCan I get my money back?\n</input>');
    expect(user?.content).toContain('<output>\nYes, within 30 days.\n</output>');
    expect(user?.content).toContain('<expected_output>\nRefunds within 30 days.\n</expected_output>');
  });

  it('leaves out the expected output when there is none', () => {
    const [, user] = buildJudgeMessages('Is polite.', null, 'Hello.');
    expect(user?.content).not.toContain('expected_output');
    expect(user?.content).toContain('(not recorded)');
  });
});

describe('parseJudgeReply', () => {
  it('passes at or above the threshold', () => {
    expect(parseJudgeReply('{"score": 0.7, "reason": "Polite and clear."}', 0.7)).toEqual({
      evaluator: 'llm_judge',
      score: 0.7,
      passed: true,
      reason: 'judge scored 0.7 (at least 0.7): Polite and clear.',
    });
  });

  it('fails below it', () => {
    expect(parseJudgeReply('{"score": 0.2, "reason": "Rude.\\nVery rude."}', 0.7)).toMatchObject({
      passed: false,
      score: 0.2,
      reason: 'judge scored 0.2 (below 0.7): Rude. Very rude.',
    });
  });

  it('accepts a reply in one code fence', () => {
    expect(parseJudgeReply('```json\n{"score": 1, "reason": "ok"}\n```', 0.5).passed).toBe(true);
  });

  it.each([
    ['not JSON', 'Score: 0.9 — looks good'],
    ['a list', '[0.9]'],
    ['a string score', '{"score": "0.9", "reason": "ok"}'],
    ['no score', '{"reason": "ok"}'],
    ['a score above 1', '{"score": 9, "reason": "ok"}'],
    ['a negative score', '{"score": -0.1, "reason": "ok"}'],
    ['no reason', '{"score": 0.9}'],
    ['two JSON objects', '{"score": 0.9, "reason": "a"} {"score": 0.1, "reason": "b"}'],
    ['an empty reply', ''],
  ])('throws on %s rather than passing', (_, reply) => {
    expect(() => parseJudgeReply(reply, 0.7)).toThrow(ExperimentsError);
  });

  it('says what was wrong and keeps an excerpt of the reply', () => {
    try {
      parseJudgeReply('{"score": "high", "reason": "ok"}', 0.7);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExperimentsError);
      expect((error as ExperimentsError).message).toBe('The judge reply has no numeric "score" (got "high").');
      expect((error as ExperimentsError).details).toEqual({ reply: '{"score": "high", "reason": "ok"}' });
    }
  });

  it('refuses a threshold outside 0–1', () => {
    expect(() => parseJudgeReply('{"score": 1, "reason": "ok"}', 1.5)).toThrow(ExperimentsError);
  });
});
