import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { z } from 'zod';
import { checked, NO_OUTPUT_REASON, oneLine, unavailable, type EvaluationFacts, type EvaluationResult } from './evaluator.js';

/** `{ type: 'json_schema', schema: { type: 'object', required: ['answer'] } }`; a schema Ajv cannot compile is refused. */
export const jsonSchemaSchema = z
  .strictObject({
    type: z.literal('json_schema'),
    schema: z.union([z.boolean(), z.record(z.string(), z.unknown())]),
  })
  .superRefine((config, ctx) => {
    try {
      compiledValidator(config.schema);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['schema'], message: `not a usable JSON Schema: ${oneLine((error as Error).message, 160)}` });
    }
  });

export type JsonSchemaConfig = z.output<typeof jsonSchemaSchema>;

/** Passes when the output is JSON that the schema accepts. */
export function evaluateJsonSchema(config: JsonSchemaConfig, facts: EvaluationFacts): EvaluationResult {
  if (facts.output === null) return unavailable(config.type, NO_OUTPUT_REASON);
  let value: unknown;
  try {
    value = JSON.parse(facts.output);
  } catch {
    return checked(config.type, false, 'output is not valid JSON, so it cannot match the schema');
  }
  const validate = compiledValidator(config.schema);
  if (validate(value)) return checked(config.type, true, 'output matches the schema');
  const first = validate.errors?.[0];
  const detail = first ? `${first.instancePath || '(root)'} ${first.message ?? 'is invalid'}` : 'it is invalid';
  return checked(config.type, false, `output does not match the schema: ${oneLine(detail, 160)}`);
}

// Each schema gets its own Ajv: two schemas sharing an `$id` would otherwise clash, and an Ajv instance keeps
// every schema it compiled, so evicting from this bounded cache is what actually frees memory.
const MAX_CACHED = 256;
const validators = new Map<string, ValidateFunction>();

function compiledValidator(schema: boolean | Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = validators.get(key);
  if (cached) {
    validators.delete(key);
    validators.set(key, cached);
    return cached;
  }
  const validate = ajvFor(schema).compile(schema);
  validators.set(key, validate);
  if (validators.size > MAX_CACHED) validators.delete(validators.keys().next().value!);
  return validate;
}

function ajvFor(schema: boolean | Record<string, unknown>): Ajv {
  const options = { strict: false, logger: false } as const;
  const dialect = typeof schema === 'object' && typeof schema.$schema === 'string' ? schema.$schema : '';
  const ajv = dialect.includes('2020-12') ? new Ajv2020(options) : dialect.includes('2019-09') ? new Ajv2019(options) : new Ajv(options);
  // ajv-formats is CommonJS: the default import is its module object, whose `default` is the plugin.
  ajvFormats.default(ajv);
  return ajv;
}
