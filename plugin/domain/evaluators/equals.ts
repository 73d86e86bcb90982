import { z } from 'zod';
import { checked, NO_OUTPUT_REASON, quote, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

/** `{ type: 'equals', value: 'yes', ignoreCase?: true, trim?: false, collapseWhitespace?: true }` */
export const equalsSchema = z.strictObject({
  type: z.literal('equals'),
  value: z.string(),
  ignoreCase: z.boolean().default(false),
  trim: z.boolean().default(true),
  collapseWhitespace: z.boolean().default(false),
});

export type EqualsConfig = z.output<typeof equalsSchema>;

/** Passes when the output equals the value after the configured normalisation. */
export function evaluateEquals(config: EqualsConfig, facts: EvaluationFacts): EvaluationResult {
  if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
  const equal = normalise(facts.output, config) === normalise(config.value, config);
  return checked(
    config.type,
    equal,
    equal ? `output equals ${quote(config.value)}` : `output ${quote(facts.output)} does not equal ${quote(config.value)}`,
  );
}

function normalise(text: string, config: EqualsConfig): string {
  let result = config.collapseWhitespace ? text.replace(/\s+/g, ' ') : text;
  if (config.trim) result = result.trim();
  return config.ignoreCase ? result.toLowerCase() : result;
}
