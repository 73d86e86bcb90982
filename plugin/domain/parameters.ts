import { z } from 'zod';
import { ExperimentsError } from '../errors.js';
import { parameterDefinitions, parameterNames, type ParameterName } from './parameter-definitions.js';

export { parameterNames, verbosityLevels, type ParameterName, type Verbosity } from './parameter-definitions.js';

type Definitions = typeof parameterDefinitions;

/** One zod schema per parameter; the error message states the full rule. */
export const parameterSchemas = Object.fromEntries(parameterNames.map((name) => [name, parameterDefinitions[name].schema])) as {
  [P in ParameterName]: Definitions[P]['schema'];
};

/** The value type of each parameter. */
export type ParameterValues = { [P in ParameterName]: z.output<(typeof parameterSchemas)[P]> };
export type ParameterValue = ParameterValues[ParameterName];

/** The parameters set for one inference step; an absent parameter means the application's own default. */
export type StepParameters = Partial<ParameterValues>;

/** Parameters per inference step, keyed by the step's external id. */
export type ExperimentConfig = Record<string, StepParameters>;

/** The single change a variant makes to its parent: `{ step, parameter, value }`. */
export type Override = {
  [P in ParameterName]: { step: string; parameter: P; value: ParameterValues[P] };
}[ParameterName];

const unknownParameter = (key: string) => `unknown parameter "${key}"; expected one of ${parameterNames.join(', ')}`;

/** A step's parameters: every key optional, unknown keys refused. */
export const stepParametersSchema = z.strictObject(
  Object.fromEntries(parameterNames.map((name) => [name, parameterSchemas[name].optional()])) as {
    [P in ParameterName]: z.ZodOptional<Definitions[P]['schema']>;
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'the parameters of a step must be an object' : undefined) },
);

const overrideShape = <P extends ParameterName>(parameter: P) =>
  z.strictObject({
    step: z.string({ error: 'step must be a non-empty string' }).min(1, { error: 'step must be a non-empty string' }),
    parameter: z.literal(parameter),
    value: parameterSchemas[parameter],
  });

type OverrideShape = { [P in ParameterName]: ReturnType<typeof overrideShape<P>> }[ParameterName];

/** An override, its value checked against the rule of its parameter. */
export const overrideSchema = z.discriminatedUnion(
  'parameter',
  parameterNames.map(overrideShape) as unknown as [OverrideShape, ...OverrideShape[]],
  {
    error: (issue) => {
      // zod reports a non-object input through this handler too, though its typings only admit invalid_union.
      const code: string = issue.code;
      if (code === 'invalid_type') return 'an override must be an object { step, parameter, value }';
      if (code === 'invalid_union') return `parameter must be one of ${parameterNames.join(', ')}`;
      return undefined;
    },
  },
);

/** One thing wrong with an input, `path` dotted from the input's root. */
export interface Problem {
  path: string;
  message: string;
}

const joinPath = (path: readonly PropertyKey[]) => path.map(String).join('.');

function problemsOf(error: z.ZodError, prefix: readonly string[], unknownKey: (key: string) => string): Problem[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    // One problem per unknown key, so each can be pointed at on its own.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: joinPath([...path, key]), message: unknownKey(key) }));
    }
    return [{ path: joinPath(path), message: issue.message }];
  });
}

const shownProblems = 5;

function refuse(what: string, problems: Problem[]): never {
  const listed = problems.slice(0, shownProblems).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  const more = problems.length > shownProblems ? ` (and ${problems.length - shownProblems} more)` : '';
  throw new ExperimentsError('unprocessable', `Invalid ${what}: ${listed.join('; ')}${more}.`, problems);
}

const outOfScope = (step: string, inScopeSteps: readonly string[]) =>
  inScopeSteps.length === 0
    ? `"${step}" is not an inference step of this experiment; select the experiment's steps first`
    : `"${step}" is not an inference step of this experiment; steps in scope: ${inScopeSteps.join(', ')}`;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a baseline configuration `{ <step>: { <parameter>: value } }` against the experiment's steps.
 * Every problem is reported at once; nothing is dropped silently.
 * @example parseBaselineConfig({ classifier: { temperature: 0 } }, ['classifier'])
 */
export function parseBaselineConfig(input: unknown, inScopeSteps: readonly string[]): ExperimentConfig {
  if (!isPlainObject(input)) {
    refuse('baseline configuration', [
      { path: '', message: 'the configuration must be an object mapping step ids to their parameters' },
    ]);
  }
  const scope = new Set(inScopeSteps);
  const problems: Problem[] = [];
  const steps: Array<[string, StepParameters]> = [];
  for (const [step, parameters] of Object.entries(input)) {
    if (!scope.has(step)) {
      problems.push({ path: step, message: outOfScope(step, inScopeSteps) });
      continue;
    }
    const parsed = stepParametersSchema.safeParse(parameters);
    if (parsed.success) steps.push([step, parsed.data]);
    else problems.push(...problemsOf(parsed.error, [step], unknownParameter));
  }
  if (problems.length > 0) refuse('baseline configuration', problems);
  // fromEntries defines own keys, so even a step id like "__proto__" cannot reach the prototype.
  return Object.fromEntries(steps);
}

/**
 * Validates one override against the experiment's steps.
 * @example parseOverride({ step: 'classifier', parameter: 'top_p', value: 0.9 }, ['classifier'])
 */
export function parseOverride(input: unknown, inScopeSteps: readonly string[]): Override {
  const parsed = overrideSchema.safeParse(input);
  if (!parsed.success) {
    const unknownKey = (key: string) => `unknown key "${key}"; an override has step, parameter and value`;
    refuse('override', problemsOf(parsed.error, [], unknownKey));
  }
  if (!inScopeSteps.includes(parsed.data.step)) {
    refuse('override', [{ path: 'step', message: outOfScope(parsed.data.step, inScopeSteps) }]);
  }
  return parsed.data;
}
