import { describe, expect, it } from 'vitest';
import { ExperimentsError } from '../errors.js';
import { overrideSchema, parameterNames, parameterSchemas, parseBaselineConfig, parseOverride } from './parameters.js';
import type { ParameterName, Problem } from './parameters.js';

function errorOf(action: () => unknown): ExperimentsError {
  try {
    action();
  } catch (error) {
    if (error instanceof ExperimentsError) return error;
    throw error;
  }
  throw new Error('expected an ExperimentsError');
}

const accepts = (parameter: ParameterName, value: unknown) => parameterSchemas[parameter].safeParse(value).success;

describe('parameter rules', () => {
  it('names the six parameters', () => {
    expect(parameterNames).toEqual(['system', 'temperature', 'top_p', 'max_tokens', 'model', 'verbosity']);
  });

  it.each([
    ['temperature', 0, true],
    ['temperature', 2, true],
    ['temperature', 2.0, true],
    ['temperature', 0.7, true],
    ['temperature', 2.0001, false],
    ['temperature', -1, false],
    ['temperature', -0.0001, false],
    ['temperature', '0.5', false],
    ['temperature', Number.NaN, false],
    ['temperature', null, false],
    ['top_p', 0, false],
    ['top_p', 0.0001, true],
    ['top_p', 1, true],
    ['top_p', 1.0001, false],
    ['top_p', -0.5, false],
    ['max_tokens', 1, true],
    ['max_tokens', 4096, true],
    ['max_tokens', 0, false],
    ['max_tokens', -5, false],
    ['max_tokens', 1.5, false],
    ['max_tokens', '100', false],
    ['max_tokens', Number.POSITIVE_INFINITY, false],
    ['system', 'You are terse.', true],
    ['system', '', false],
    ['system', '   ', false],
    ['system', 42, false],
    ['model', 'gpt-4o', true],
    ['model', '', false],
    ['verbosity', 'low', true],
    ['verbosity', 'medium', true],
    ['verbosity', 'high', true],
    ['verbosity', 'HIGH', false],
    ['verbosity', '', false],
  ] as const)('%s = %j → %s', (parameter, value, ok) => {
    expect(accepts(parameter, value)).toBe(ok);
  });

  it('states the whole rule whatever went wrong', () => {
    for (const value of [3, -1, 'hot', null]) {
      const result = parameterSchemas.temperature.safeParse(value);
      expect(result.error?.issues.map((issue) => issue.message)).toEqual([
        'temperature must be a number between 0 and 2',
      ]);
    }
    expect(parameterSchemas.max_tokens.safeParse(1.5).error?.issues[0]?.message).toBe(
      'max_tokens must be a positive integer',
    );
    expect(parameterSchemas.verbosity.safeParse('loud').error?.issues[0]?.message).toBe(
      'verbosity must be one of low, medium, high',
    );
  });
});

describe('parseBaselineConfig', () => {
  const scope = ['classifier', 'response_generator'];

  it('returns a valid configuration unchanged', () => {
    const input = {
      classifier: { temperature: 0, model: 'gpt-4o-mini', max_tokens: 16 },
      response_generator: { system: 'Be kind.', top_p: 1, verbosity: 'medium' },
    };
    expect(parseBaselineConfig(input, scope)).toEqual(input);
  });

  it('accepts steps without parameters and leaves absent steps absent', () => {
    expect(parseBaselineConfig({ classifier: {} }, scope)).toEqual({ classifier: {} });
    expect(parseBaselineConfig({}, scope)).toEqual({});
  });

  it('refuses steps out of scope and unknown parameters, each on its own path', () => {
    const error = errorOf(() =>
      parseBaselineConfig(
        {
          classifier: { temperature: 2.5, seed: 3 },
          retriever: { top_k: 5 },
          response_generator: { max_tokens: 1.5, model: '' },
        },
        scope,
      ),
    );
    expect(error.code).toBe('unprocessable');
    expect(error.status).toBe(422);
    const problems = error.details as Problem[];
    expect(problems.map((p) => p.path).sort()).toEqual([
      'classifier.seed',
      'classifier.temperature',
      'response_generator.max_tokens',
      'response_generator.model',
      'retriever',
    ]);
    const byPath = new Map(problems.map((p) => [p.path, p.message]));
    expect(byPath.get('classifier.temperature')).toBe('temperature must be a number between 0 and 2');
    expect(byPath.get('classifier.seed')).toContain('unknown parameter "seed"');
    expect(byPath.get('retriever')).toBe(
      '"retriever" is not an inference step of this experiment; steps in scope: classifier, response_generator',
    );
    expect(error.message).toMatch(/^Invalid baseline configuration: /);
    expect(error.message).toContain('classifier.temperature: temperature must be a number between 0 and 2');
  });

  it('refuses anything but an object, at the root and per step', () => {
    for (const input of [null, [], 'config', 3]) {
      expect(errorOf(() => parseBaselineConfig(input, scope)).code).toBe('unprocessable');
    }
    const perStep = errorOf(() => parseBaselineConfig({ classifier: [0.3] }, scope));
    expect(perStep.details).toEqual([{ path: 'classifier', message: 'the parameters of a step must be an object' }]);
    expect(errorOf(() => parseBaselineConfig({ classifier: null }, scope)).code).toBe('unprocessable');
  });

  it('does not let a __proto__ key through', () => {
    const input = JSON.parse('{"__proto__": {"temperature": 1}}') as unknown;
    expect(errorOf(() => parseBaselineConfig(input, scope)).details).toEqual([
      { path: '__proto__', message: expect.stringContaining('is not an inference step') },
    ]);
    const nested = JSON.parse('{"classifier": {"__proto__": {"temperature": 1}}}') as unknown;
    expect(errorOf(() => parseBaselineConfig(nested, scope)).code).toBe('unprocessable');
  });

  it('keeps a step named __proto__ as a plain key', () => {
    const input = JSON.parse('{"__proto__": {"temperature": 1}}') as unknown;
    const config = parseBaselineConfig(input, ['__proto__']);
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype);
    expect(Object.keys(config)).toEqual(['__proto__']);
  });

  it('keeps the message short when there are many problems', () => {
    const input = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`step_${i}`, {}]));
    const error = errorOf(() => parseBaselineConfig(input, scope));
    expect(error.details).toHaveLength(8);
    expect(error.message).toContain('(and 3 more)');
  });
});

describe('parseOverride', () => {
  const scope = ['classifier', 'response_generator'];

  it.each([
    { step: 'response_generator', parameter: 'temperature', value: 0.3 },
    { step: 'classifier', parameter: 'top_p', value: 1 },
    { step: 'classifier', parameter: 'max_tokens', value: 1 },
    { step: 'classifier', parameter: 'system', value: 'Answer in one word.' },
    { step: 'classifier', parameter: 'model', value: 'gpt-4o' },
    { step: 'classifier', parameter: 'verbosity', value: 'low' },
  ])('accepts $parameter = $value', (input) => {
    expect(parseOverride(input, scope)).toEqual(input);
  });

  it.each([
    [
      { step: 'classifier', parameter: 'temperature', value: 2.0001 },
      'value',
      'temperature must be a number between 0 and 2',
    ],
    [
      { step: 'classifier', parameter: 'top_p', value: 0 },
      'value',
      'top_p must be a number greater than 0 and at most 1',
    ],
    [{ step: 'classifier', parameter: 'max_tokens', value: 1.5 }, 'value', 'max_tokens must be a positive integer'],
    [{ step: 'classifier', parameter: 'system', value: '' }, 'value', 'system must be a non-empty string'],
    [
      { step: 'classifier', parameter: 'verbosity', value: 'loud' },
      'value',
      'verbosity must be one of low, medium, high',
    ],
    [
      { step: 'classifier', parameter: 'seed', value: 1 },
      'parameter',
      'parameter must be one of system, temperature, top_p, max_tokens, model, verbosity',
    ],
    [
      { step: 'classifier', value: 1 },
      'parameter',
      'parameter must be one of system, temperature, top_p, max_tokens, model, verbosity',
    ],
    [{ step: '', parameter: 'model', value: 'x' }, 'step', 'step must be a non-empty string'],
    [
      { step: 'classifier', parameter: 'model', value: 'x', note: 'hi' },
      'note',
      'unknown key "note"; an override has step, parameter and value',
    ],
    [
      { step: 'retriever', parameter: 'model', value: 'x' },
      'step',
      '"retriever" is not an inference step of this experiment; steps in scope: classifier, response_generator',
    ],
    [7, '', 'an override must be an object { step, parameter, value }'],
  ])('refuses %j at %s', (input, path, message) => {
    const error = errorOf(() => parseOverride(input, scope));
    expect(error.code).toBe('unprocessable');
    expect(error.details).toEqual([{ path, message }]);
  });

  it('exposes the same rules as a schema for request validation', () => {
    const parsed = overrideSchema.parse({ step: 'x', parameter: 'temperature', value: 1 });
    expect(parsed).toEqual({ step: 'x', parameter: 'temperature', value: 1 });
    expect(overrideSchema.safeParse({ step: 'x', parameter: 'temperature', value: 3 }).success).toBe(false);
  });
});
