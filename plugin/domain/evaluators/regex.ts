import { RE2JS } from 're2js';
import { z } from 'zod';
import { checked, NO_OUTPUT_REASON, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

// Patterns run on the host's ingestion path against outputs an application produced, so they are matched by
// RE2 (re2js), in time linear in the output: a backtracking pattern such as (a+)+$ cannot stall the host.
// RE2 has no backreferences or lookaheads; such a pattern is refused when the evaluation is saved.
const flagBits: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };
// g, y and u change nothing for "matches somewhere": accepted, so patterns written for JavaScript keep working.
const ignoredFlags = new Set(['g', 'y', 'u']);

function compile(pattern: string, flags = ''): RE2JS {
  let bits = 0;
  for (const flag of flags) {
    if (flag in flagBits) bits |= flagBits[flag]!;
    else if (!ignoredFlags.has(flag)) throw new Error(`unsupported flag "${flag}" (use i, m or s)`);
  }
  return RE2JS.compile(pattern, bits);
}

/** `{ type: 'regex', pattern: '^\\d+$', flags?: 'i' }` in RE2 syntax; a pattern that does not compile is refused. */
export const regexSchema = z
  .strictObject({
    type: z.literal('regex'),
    pattern: z.string().min(1).max(2_000),
    flags: z.string().max(10).optional(),
  })
  .superRefine((config, ctx) => {
    try {
      compile(config.pattern, config.flags);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression (RE2 syntax): ${(error as Error).message}` });
    }
  });

export type RegexConfig = z.output<typeof regexSchema>;

// An experiment evaluates thousands of outputs with the same few patterns.
const compiled = new Map<string, RE2JS>();
const maxCompiled = 200;

function compiledPattern(config: RegexConfig): RE2JS {
  const key = `${config.flags ?? ''}/${config.pattern}`;
  let pattern = compiled.get(key);
  if (!pattern) {
    pattern = compile(config.pattern, config.flags);
    if (compiled.size >= maxCompiled) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, pattern);
  }
  return pattern;
}

/** Passes when the pattern matches somewhere in the output (anchor it with ^…$ to match the whole output). */
export function evaluateRegex(config: RegexConfig, facts: EvaluationFacts): EvaluationResult {
  if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
  const matched = compiledPattern(config).test(facts.output);
  const shown = `/${config.pattern}/${config.flags ?? ''}`;
  return checked(config.type, matched, `output ${matched ? 'matches' : 'does not match'} ${shown}`);
}
