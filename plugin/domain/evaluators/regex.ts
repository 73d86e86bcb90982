import { z } from 'zod';
import { checked, NO_OUTPUT_REASON, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

/** `{ type: 'regex', pattern: '^\\d+$', flags?: 'i' }`; a pattern that does not compile is refused. */
export const regexSchema = z
  .strictObject({
    type: z.literal('regex'),
    pattern: z.string().min(1),
    flags: z.string().optional(),
  })
  .superRefine((config, ctx) => {
    try {
      new RegExp(config.pattern, config.flags);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression: ${(error as Error).message}` });
    }
  });

export type RegexConfig = z.output<typeof regexSchema>;

/** Passes when the pattern matches somewhere in the output (anchor it with ^…$ to match the whole output). */
export function evaluateRegex(config: RegexConfig, facts: EvaluationFacts): EvaluationResult {
  if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
  // `search` ignores lastIndex, so the g and y flags cannot make the result depend on a previous call.
  const matched = facts.output.search(new RegExp(config.pattern, config.flags)) !== -1;
  const shown = `/${config.pattern}/${config.flags ?? ''}`;
  return checked(config.type, matched, `output ${matched ? 'matches' : 'does not match'} ${shown}`);
}
