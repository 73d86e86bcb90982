import { z } from 'zod';
import { parameterSchemas } from './parameter-rules.js';

// The shape of a definition file, field by field; references between fields (steps, parents, gates) are
// checked afterwards in definition-rules.ts. Every message says what the field must be.

const text = (field: string, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be text`) })
    .trim()
    .min(1, { error: `${field} must not be blank` })
    .max(max, { error: `${field} must be at most ${max} characters` });

const wholeNumber = (field: string, min: number, max: number) =>
  z
    .int({ error: `${field} must be a whole number from ${min} to ${max}` })
    .min(min, { error: `${field} must be a whole number from ${min} to ${max}` })
    .max(max, { error: `${field} must be a whole number from ${min} to ${max}` });

const stepParameters = z.strictObject(
  {
    system: parameterSchemas.system.optional(),
    temperature: parameterSchemas.temperature.optional(),
    top_p: parameterSchemas.top_p.optional(),
    max_tokens: parameterSchemas.max_tokens.optional(),
    model: parameterSchemas.model.optional(),
    verbosity: parameterSchemas.verbosity.optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'the parameters of a step must be a mapping of parameter: value' : undefined) },
);

const config = (field: string) =>
  z.record(z.string(), stepParameters, {
    error: (issue) =>
      issue.input === undefined
        ? `${field} is required: { <step>: { <parameter>: <value> } }`
        : `${field} must be a mapping of step: { parameter: value }`,
  });

const variant = z.strictObject(
  {
    name: text('name', 200),
    description: z
      .string({ error: 'description must be text' })
      .max(10_000, { error: 'description must be at most 10,000 characters' })
      .optional(),
    parent: text('parent', 200).optional(),
    change: z.record(z.string(), z.record(z.string(), z.unknown()), {
      error: (issue) =>
        issue.input === undefined
          ? 'change is required: { <step>: { <parameter>: <value> } }'
          : 'change must be a mapping { <step>: { <parameter>: <value> } }',
    }),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'a variant must be a mapping with name and change' : undefined) },
);

const budget = z.strictObject(
  {
    maxCost: z
      .number({ error: 'budget.maxCost must be a positive number (US dollars)' })
      .positive({ error: 'budget.maxCost must be a positive number (US dollars)' })
      .optional(),
    maxTokens: wholeNumber('budget.maxTokens', 1, Number.MAX_SAFE_INTEGER).optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'budget must be a mapping with maxCost and/or maxTokens' : undefined) },
);

const run = z.strictObject(
  {
    concurrency: wholeNumber('concurrency', 1, 1000).optional(),
    repeats: wholeNumber('repeats', 1, 20).optional(),
    traceTimeoutSeconds: wholeNumber('traceTimeoutSeconds', 1, 86_400).optional(),
    stopWhenDecided: z.boolean({ error: 'stopWhenDecided must be true or false' }).optional(),
    budget: budget.optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'run must be a mapping of run settings' : undefined) },
);

const gate = z.strictObject(
  {
    variant: text('variant', 200),
    fail_if: z.enum(['worse', 'not_better'], { error: 'fail_if must be worse or not_better' }).optional(),
    min_pass_rate: z
      .number({ error: 'min_pass_rate must be a fraction from 0 to 1 (0.8 for 80%)' })
      .min(0, { error: 'min_pass_rate must be a fraction from 0 to 1 (0.8 for 80%)' })
      .max(1, { error: 'min_pass_rate must be a fraction from 0 to 1 (0.8 for 80%)' })
      .optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'a gate must be a mapping with variant and fail_if or min_pass_rate' : undefined) },
);

/** A definition file as written, before references are checked. */
export const definitionSchema = z.strictObject(
  {
    name: text('name', 200),
    key: text('key', 200).optional(),
    hypothesis: z
      .string({ error: 'hypothesis must be text' })
      .max(10_000, { error: 'hypothesis must be at most 10,000 characters' })
      .optional(),
    steps: z
      .array(text('a step id', 200), {
        error: (issue) =>
          issue.input === undefined ? 'steps is required: the inference steps in scope' : 'steps must be a list of inference step ids',
      })
      .min(1, { error: 'steps must name at least one inference step' }),
    // `all`, a list of ids or { phoenix_dataset, split? }: told apart by shape in definition-rules.ts, so an error points inside it.
    tasks: z
      .unknown()
      .refine((value) => value !== undefined, { error: 'tasks is required: `all`, a list of task ids, or { phoenix_dataset: <name> }' }),
    baseline: config('baseline').refine((value) => Object.keys(value).length > 0, { error: 'baseline must configure at least one step' }),
    variants: z.array(variant, { error: 'variants must be a list' }).default([]),
    run: run.default({}),
    gates: z.array(gate, { error: 'gates must be a list' }).default([]),
  },
  {
    error: (issue) => (issue.code === 'invalid_type' ? 'the file must be a YAML mapping with name, steps, tasks and baseline' : undefined),
  },
);

export type DefinitionInput = z.output<typeof definitionSchema>;

/** The fields a mapping accepts, for the message about an unknown one. */
export const knownFields: Record<string, readonly string[]> = {
  '': Object.keys(definitionSchema.shape),
  variant: Object.keys(variant.shape),
  run: Object.keys(run.shape),
  budget: Object.keys(budget.shape),
  gate: Object.keys(gate.shape),
};
