import { parameterNames, verbosityLevels, type ParameterName } from '../plugin/domain/parameters.js';

/** How a parameter is entered in a form and what it means to a person. */
export interface ParameterInput {
  name: ParameterName;
  label: string;
  kind: 'text' | 'textarea' | 'number' | 'choice';
  step?: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
  hint: string;
}

/** The six parameters a variant may change (DESIGN §5), in the order forms show them. */
export const parameterInputs: readonly ParameterInput[] = [
  { name: 'model', label: 'Model', kind: 'text', hint: 'e.g. gpt-4o-mini' },
  { name: 'temperature', label: 'Temperature', kind: 'number', step: 'any', min: 0, max: 2, hint: '0 to 2' },
  { name: 'top_p', label: 'Top p', kind: 'number', step: 'any', min: 0, max: 1, hint: 'above 0, at most 1' },
  { name: 'max_tokens', label: 'Max tokens', kind: 'number', step: '1', min: 1, hint: 'a positive whole number' },
  { name: 'verbosity', label: 'Verbosity', kind: 'choice', choices: verbosityLevels, hint: 'low, medium or high' },
  { name: 'system', label: 'System message', kind: 'textarea', hint: 'the instructions the step sends first' },
];

/** The parameters whose values are numbers; a form sends them as text. */
export const numericParameters: ReadonlySet<string> = new Set(parameterInputs.filter((p) => p.kind === 'number').map((p) => p.name));

export const isParameterName = (value: string): value is ParameterName => (parameterNames as readonly string[]).includes(value);
