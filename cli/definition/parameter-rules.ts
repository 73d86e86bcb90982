import { z } from 'zod';

// The parameter table of DESIGN §5, as the JSON API enforces it. The CLI checks it too so that a definition is
// refused, with its line, before anything is created; the server stays the judge of record.
const verbosityLevels = ['low', 'medium', 'high'] as const;

const rules = {
  system: 'a non-empty string',
  temperature: 'a number from 0 to 2',
  top_p: 'a number greater than 0 and at most 1',
  max_tokens: 'a positive whole number',
  model: 'a non-empty string',
  verbosity: `one of ${verbosityLevels.join(', ')}`,
} as const;

/** The step parameters a baseline sets and a variant may change. */
export type ParameterName = keyof typeof rules;
export const parameterNames = Object.keys(rules) as ParameterName[];

export type ParameterValue = string | number;

const ruleOf = (name: ParameterName) => `${name} must be ${rules[name]}`;
const nonBlank = (name: ParameterName) =>
  z.string({ error: ruleOf(name) }).refine((text) => text.trim().length > 0, { error: ruleOf(name) });

/** One schema per parameter; each error states the whole rule. */
export const parameterSchemas: Record<ParameterName, z.ZodType<ParameterValue>> = {
  system: nonBlank('system'),
  temperature: z
    .number({ error: ruleOf('temperature') })
    .min(0, { error: ruleOf('temperature') })
    .max(2, { error: ruleOf('temperature') }),
  top_p: z
    .number({ error: ruleOf('top_p') })
    .gt(0, { error: ruleOf('top_p') })
    .max(1, { error: ruleOf('top_p') }),
  max_tokens: z.int({ error: ruleOf('max_tokens') }).min(1, { error: ruleOf('max_tokens') }),
  model: nonBlank('model'),
  verbosity: z.enum(verbosityLevels, { error: ruleOf('verbosity') }),
};

export const isParameterName = (key: string): key is ParameterName => Object.hasOwn(rules, key);

export const unknownParameterMessage = (key: string) => `unknown parameter "${key}"; expected one of ${parameterNames.join(', ')}`;
