import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { NO_OUTPUT_REASON, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

/** `{ type: 'output_match', threshold: 0.8, expected?: '…' }`; `expected` overrides the task's expected output. */
export const outputMatchSchema = z.strictObject({
  type: z.literal('output_match'),
  threshold: z.number().min(0).max(1),
  expected: z.string().optional(),
});

export type OutputMatchConfig = z.output<typeof outputMatchSchema>;

/** Passes when the similarity of output and expected output (1 − normalised edit distance) reaches the threshold. */
export function evaluateOutputMatch(config: OutputMatchConfig, facts: EvaluationFacts): EvaluationResult {
  if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
  const expected = config.expected ?? facts.expected;
  if (expected === undefined || expected === null) {
    return unavailable(config.type, 'the task has no expected output to compare with');
  }
  const score = similarity(facts.output, expected);
  const passed = score >= config.threshold;
  return {
    evaluator: config.type,
    score,
    passed,
    reason: `similarity to the expected output is ${score.toFixed(2)} (${passed ? 'at least' : 'below'} ${config.threshold})`,
  };
}

/** 1 − Levenshtein distance ÷ the longer length, on trimmed text; two empty texts are identical. */
export function similarity(a: string, b: string): number {
  const left = a.trim();
  const right = b.trim();
  const longer = Math.max(left.length, right.length);
  return longer === 0 ? 1 : 1 - distance(left, right) / longer;
}
