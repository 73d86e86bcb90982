import { parameterDefinitions, parameterNames, type ParameterName } from '../plugin/domain/parameter-definitions.js';

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

/** The parameters a variant may change (DESIGN §5), from their definitions, in the order forms show them. */
export const parameterInputs: readonly ParameterInput[] = [...parameterNames]
  .sort((a, b) => parameterDefinitions[a].formOrder - parameterDefinitions[b].formOrder)
  .map((name): ParameterInput => {
    const { label, hint, input } = parameterDefinitions[name];
    return { name, label, hint, ...input };
  });

/** The parameters whose values are numbers; a form sends them as text. */
export const numericParameters: ReadonlySet<string> = new Set(parameterInputs.filter((p) => p.kind === 'number').map((p) => p.name));
