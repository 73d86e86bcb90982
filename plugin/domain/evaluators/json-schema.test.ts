import { describe, expect, it } from 'vitest';
import { evaluateJsonSchema, jsonSchemaSchema } from './json-schema.js';

const answerSchema = {
  type: 'object',
  properties: { answer: { type: 'string' }, email: { type: 'string', format: 'email' } },
  required: ['answer'],
};
const config = (schema: unknown) => jsonSchemaSchema.parse({ type: 'json_schema', schema });

describe('json_schema', () => {
  it('passes when the output matches', () => {
    expect(evaluateJsonSchema(config(answerSchema), { output: '{"answer": "yes"}' })).toEqual({
      evaluator: 'json_schema',
      score: 1,
      passed: true,
      reason: 'output matches the schema',
    });
  });

  it('fails naming the first problem', () => {
    expect(evaluateJsonSchema(config(answerSchema), { output: '{"answer": 3}' })).toMatchObject({
      passed: false,
      reason: 'output does not match the schema: /answer must be string',
    });
    expect(evaluateJsonSchema(config(answerSchema), { output: '{}' }).reason).toBe(
      "output does not match the schema: (root) must have required property 'answer'",
    );
  });

  it('checks formats', () => {
    expect(evaluateJsonSchema(config(answerSchema), { output: '{"answer": "a", "email": "nope"}' }).passed).toBe(false);
    expect(evaluateJsonSchema(config(answerSchema), { output: '{"answer": "a", "email": "a@b.io"}' }).passed).toBe(true);
  });

  it('fails on output that is not JSON, or no output', () => {
    expect(evaluateJsonSchema(config(answerSchema), { output: 'yes' })).toMatchObject({
      passed: false,
      reason: 'output is not valid JSON, so it cannot match the schema',
    });
    expect(evaluateJsonSchema(config(answerSchema), { output: null })).toMatchObject({ passed: false, reason: 'the trace has no output' });
  });

  it('understands draft 2020-12 schemas', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'number' }],
      items: false,
    };
    expect(evaluateJsonSchema(config(schema), { output: '[1]' }).passed).toBe(true);
    expect(evaluateJsonSchema(config(schema), { output: '[1, 2]' }).passed).toBe(false);
  });

  it('keeps schemas that share an $id apart', () => {
    const a = config({ $id: 'https://example.com/answer', type: 'string' });
    const b = config({ $id: 'https://example.com/answer', type: 'number' });
    expect(evaluateJsonSchema(a, { output: '"x"' }).passed).toBe(true);
    expect(evaluateJsonSchema(b, { output: '"x"' }).passed).toBe(false);
  });

  it('refuses a schema Ajv cannot compile', () => {
    const bad = jsonSchemaSchema.safeParse({ type: 'json_schema', schema: { type: 'strng' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['schema'] });
    expect(jsonSchemaSchema.safeParse({ type: 'json_schema', schema: 'object' }).success).toBe(false);
    expect(jsonSchemaSchema.safeParse({ type: 'json_schema' }).success).toBe(false);
  });
});
