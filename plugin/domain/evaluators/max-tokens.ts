import { z } from 'zod';
import { checked, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

/** `{ type: 'max_tokens', value: 4000 }`, counted over the whole trace (input and output). */
export const maxTokensSchema = z.strictObject({
  type: z.literal('max_tokens'),
  value: z.number().int().positive(),
});

export type MaxTokensConfig = z.output<typeof maxTokensSchema>;

/** Passes when the trace used at most `value` tokens in total. */
export function evaluateMaxTokens(config: MaxTokensConfig, facts: EvaluationFacts): EvaluationResult {
  const tokens = facts.totalTokens;
  if (tokens === undefined || tokens === null) return unavailable(config.type, 'the trace records no token usage');
  const passed = tokens <= config.value;
  return checked(config.type, passed, `used ${tokens} tokens, ${passed ? 'within' : 'over'} the limit of ${config.value}`);
}
