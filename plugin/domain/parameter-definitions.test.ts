import { describe, expect, it } from 'vitest';
import { parameterDefinitions, parameterNames } from './parameter-definitions.js';
import { extractTraceFacts } from './trace-facts.js';
import { parameterInputs } from '../../views/parameter-inputs.js';

// A value each parameter accepts, as sent in a webhook and as an application records it.
const samples = { system: 'Answer briefly.', temperature: 0.3, top_p: 0.9, max_tokens: 256, model: 'gpt-4o-mini', verbosity: 'high' } as const;

const stepSpan = (attributes: Record<string, unknown>) => ({
  traceId: 't',
  spanId: 's',
  parentSpanId: null,
  name: 'classifier',
  startTime: '2026-12-01T00:00:00.000Z',
  endTime: '2026-12-01T00:00:01.000Z',
  attributes: { 'experiment.step': 'classifier', ...attributes },
});

describe('each variant parameter is defined once, and everything else derives from its definition', () => {
  it('defines the six parameters of DESIGN §5, each with a sample here', () => {
    expect(parameterNames).toEqual(['system', 'temperature', 'top_p', 'max_tokens', 'model', 'verbosity']);
    expect(Object.keys(samples).sort()).toEqual([...parameterNames].sort());
  });

  it.each(parameterNames)('%s: the schema takes a good value and refuses a bad one with the rule in full', (name) => {
    const { schema, rule } = parameterDefinitions[name];
    expect(schema.safeParse(samples[name]).success).toBe(true);
    const bad = typeof samples[name] === 'number' ? 'not a number' : 42;
    expect(schema.safeParse(bad).error?.issues[0]?.message).toBe(rule);
  });

  it.each(parameterNames)('%s: the form input agrees with the schema at its bounds and choices', (name) => {
    const { schema, input } = parameterDefinitions[name];
    if (input.kind === 'number') {
      expect(schema.safeParse(input.min + (input.step === '1' ? 0 : 0.001)).success).toBe(true);
      expect(schema.safeParse(input.min - 1).success).toBe(false);
      if ('max' in input) {
        expect(schema.safeParse(input.max).success).toBe(true);
        expect(schema.safeParse(input.max + 0.5).success).toBe(false);
      }
    }
    if (input.kind === 'choice') for (const choice of input.choices) expect(schema.safeParse(choice).success).toBe(true);
  });

  it.each(parameterNames)('%s: a trace that records it on each attribute and invocation key is read back', (name) => {
    const { recordedBy } = parameterDefinitions[name];
    const recorded = recordedBy.value === 'number' ? String(samples[name]) : samples[name];
    for (const attribute of recordedBy.attributes) {
      expect(extractTraceFacts([stepSpan({ [attribute]: recorded })]).steps[0]?.parameters[name]).toEqual(samples[name]);
    }
    for (const key of recordedBy.invocation) {
      const invocation = key.split('.').reduceRight<unknown>((value, part) => ({ [part]: value }), samples[name]);
      const facts = extractTraceFacts([stepSpan({ 'llm.invocation_parameters': JSON.stringify(invocation) })]);
      expect(facts.steps[0]?.parameters[name]).toEqual(samples[name]);
    }
  });

  it('gives the tab one input per parameter, in the order forms show them', () => {
    expect(parameterInputs.map((input) => input.name)).toEqual(['model', 'temperature', 'top_p', 'max_tokens', 'verbosity', 'system']);
    expect(parameterInputs.find((input) => input.name === 'top_p')).toMatchObject({ kind: 'number', min: 0, max: 1, hint: 'above 0, at most 1' });
  });
});
