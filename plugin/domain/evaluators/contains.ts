import { z } from 'zod';
import { checked, NO_OUTPUT_REASON, quote, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

/** `{ type: 'contains', value: 'refund', ignoreCase?: true }` */
export const containsSchema = z.strictObject({
  type: z.literal('contains'),
  value: z.string().min(1),
  ignoreCase: z.boolean().default(false),
});

/** `{ type: 'not_contains', value: 'sorry', ignoreCase?: true }` */
export const notContainsSchema = z.strictObject({
  type: z.literal('not_contains'),
  value: z.string().min(1),
  ignoreCase: z.boolean().default(false),
});

export type ContainsConfig = z.output<typeof containsSchema>;
export type NotContainsConfig = z.output<typeof notContainsSchema>;

/** Passes when the output contains the value. */
export function evaluateContains(config: ContainsConfig, facts: EvaluationFacts): EvaluationResult {
  if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
  const found = includes(facts.output, config.value, config.ignoreCase);
  return checked(config.type, found, `output ${found ? 'contains' : 'does not contain'} ${quote(config.value)}`);
}

/** Passes when the output does not contain the value. */
export function evaluateNotContains(config: NotContainsConfig, facts: EvaluationFacts): EvaluationResult {
  if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
  const found = includes(facts.output, config.value, config.ignoreCase);
  return checked(config.type, !found, `output ${found ? 'contains' : 'does not contain'} ${quote(config.value)}`);
}

function includes(text: string, value: string, ignoreCase: boolean): boolean {
  return ignoreCase ? text.toLowerCase().includes(value.toLowerCase()) : text.includes(value);
}
