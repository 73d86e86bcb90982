import { z } from 'zod';
import { isStorableText, unstorableMessage } from './storable-text.js';

export const verbosityLevels = ['low', 'medium', 'high'] as const;
export type Verbosity = (typeof verbosityLevels)[number];

/** How a parameter is entered in a form. */
export type ParameterInputKind =
  | { kind: 'text' | 'textarea' }
  | { kind: 'number'; step: string; min: number; max?: number }
  | { kind: 'choice'; choices: readonly string[] };

/** Where a trace records the value an application really used for a parameter, most specific first. */
export interface RecordedBy {
  /** Span attributes (GenAI conventions, or the plugin's own `experiment.*`). */
  attributes: readonly string[];
  /** Keys of OpenInference's `llm.invocation_parameters` JSON, dotted for nested ones (`text.verbosity`). */
  invocation: readonly string[];
  value: 'number' | 'text';
  /** Also the system instructions and the first system (or developer) message of the input messages. */
  systemMessage?: true;
}

/** Everything about one parameter a variant may change: its rule, how a person enters it, how a trace shows it. */
export interface ParameterDefinition {
  /** The value's schema; every refusal states `rule` in full. */
  schema: z.ZodType;
  rule: string;
  label: string;
  input: ParameterInputKind;
  /** Shown beside the form field. */
  hint: string;
  /** Forms list the parameters by this, the most often changed first. */
  formOrder: number;
  recordedBy: RecordedBy;
}

// Every check of a parameter reports the same sentence, so a client sees the whole rule whatever went wrong.
// Text that Postgres cannot store (NUL, lone surrogates) is refused here too, whichever way it arrives.
const nonBlank = (error: string) =>
  z
    .string({ error })
    .refine((text) => text.trim().length > 0, { error })
    .refine(isStorableText, { error: `${error} (${unstorableMessage})` });

const rules = {
  system: 'system must be a non-empty string',
  temperature: 'temperature must be a number between 0 and 2',
  top_p: 'top_p must be a number greater than 0 and at most 1',
  max_tokens: 'max_tokens must be a positive integer',
  model: 'model must be a non-empty string',
  verbosity: `verbosity must be one of ${verbosityLevels.join(', ')}`,
};

/**
 * The step parameters a variant may change (DESIGN §5), in the order the API names them. Adding a parameter is one
 * entry here (and its test): parsing, reading applied values from traces, the tab's inputs and hints derive from it.
 */
export const parameterDefinitions = {
  system: {
    schema: nonBlank(rules.system),
    rule: rules.system,
    label: 'System message',
    input: { kind: 'textarea' },
    hint: 'the instructions the step sends first',
    formOrder: 6,
    recordedBy: { attributes: ['gen_ai.request.system'], invocation: ['system'], value: 'text', systemMessage: true },
  },
  temperature: {
    schema: z.number({ error: rules.temperature }).min(0, { error: rules.temperature }).max(2, { error: rules.temperature }),
    rule: rules.temperature,
    label: 'Temperature',
    input: { kind: 'number', step: 'any', min: 0, max: 2 },
    hint: '0 to 2',
    formOrder: 2,
    recordedBy: { attributes: ['gen_ai.request.temperature'], invocation: ['temperature'], value: 'number' },
  },
  top_p: {
    schema: z.number({ error: rules.top_p }).gt(0, { error: rules.top_p }).max(1, { error: rules.top_p }),
    rule: rules.top_p,
    label: 'Top p',
    input: { kind: 'number', step: 'any', min: 0, max: 1 },
    hint: 'above 0, at most 1',
    formOrder: 3,
    recordedBy: { attributes: ['gen_ai.request.top_p'], invocation: ['top_p'], value: 'number' },
  },
  max_tokens: {
    schema: z.int({ error: rules.max_tokens }).min(1, { error: rules.max_tokens }),
    rule: rules.max_tokens,
    label: 'Max tokens',
    input: { kind: 'number', step: '1', min: 1 },
    hint: 'a positive whole number',
    formOrder: 4,
    recordedBy: {
      attributes: ['gen_ai.request.max_tokens'],
      invocation: ['max_tokens', 'max_completion_tokens', 'max_output_tokens'],
      value: 'number',
    },
  },
  model: {
    schema: nonBlank(rules.model),
    rule: rules.model,
    label: 'Model',
    input: { kind: 'text' },
    hint: 'e.g. gpt-4o-mini',
    formOrder: 1,
    // Not `llm.model_name`: OpenInference fills it from the response, e.g. a dated snapshot of the requested model.
    recordedBy: { attributes: ['gen_ai.request.model'], invocation: ['model'], value: 'text' },
  },
  verbosity: {
    schema: z.enum(verbosityLevels, { error: rules.verbosity }),
    rule: rules.verbosity,
    label: 'Verbosity',
    input: { kind: 'choice', choices: verbosityLevels },
    hint: 'low, medium or high',
    formOrder: 5,
    recordedBy: { attributes: ['experiment.verbosity'], invocation: ['verbosity', 'text.verbosity'], value: 'text' },
  },
} as const satisfies Record<string, ParameterDefinition>;

/** The name of a parameter a variant may change. */
export type ParameterName = keyof typeof parameterDefinitions;

/** The parameter names, in the order the API names them. */
export const parameterNames = Object.keys(parameterDefinitions) as ParameterName[];
