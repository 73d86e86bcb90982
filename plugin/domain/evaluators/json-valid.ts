import { z } from 'zod';
import { checked, NO_OUTPUT_REASON, oneLine, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

/** `{ type: 'json_valid' }` */
export const jsonValidSchema = z.strictObject({ type: z.literal('json_valid') });

export type JsonValidConfig = z.output<typeof jsonValidSchema>;

/** Passes when the whole output parses as JSON. */
export function evaluateJsonValid(config: JsonValidConfig, facts: EvaluationFacts): EvaluationResult {
  if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
  try {
    JSON.parse(facts.output);
    return checked(config.type, true, 'output is valid JSON');
  } catch (error) {
    return checked(config.type, false, `output is not valid JSON: ${oneLine((error as Error).message, 120)}`);
  }
}
