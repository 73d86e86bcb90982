import type { ParameterName, ParameterValue } from './parameter-rules.js';

/** Parameters per inference step, keyed by the step's id (the JSON API's `config`). */
export type StepConfig = Record<string, Partial<Record<ParameterName, ParameterValue>>>;

/** The one change a variant makes to its parent (the JSON API's `override`). */
export interface Change {
  step: string;
  parameter: ParameterName;
  value: ParameterValue;
}

/** Which tasks the experiment runs over. */
export type TaskSelection =
  | { kind: 'ids'; ids: string[] }
  | { kind: 'all' }
  /** The examples of a Phoenix dataset (optionally one split), on a server whose host is Phoenix. */
  | { kind: 'phoenix_dataset'; dataset: string; split?: string };

export interface VariantDefinition {
  /** Its position in the file's `variants` list (variants are kept parents first). */
  index: number;
  name: string;
  description?: string;
  /** The parent variant's name; null for the baseline. */
  parent: string | null;
  change: Change;
}

/** Settings of every run the definition starts (the body of `POST …/runs`). */
export interface RunSettings {
  concurrency?: number;
  repeats?: number;
  traceTimeoutSeconds?: number;
  stopWhenDecided?: boolean;
  budget?: { maxCost?: number; maxTokens?: number };
}

export type FailIf = 'worse' | 'not_better';

/** A check on one variant's results that decides the exit code. */
export interface GateDefinition {
  /** A variant's name, or `baseline`. */
  variant: string;
  failIf?: FailIf;
  /** A pass-rate floor, as a fraction. */
  minPassRate?: number;
}

/** An experiment as code: what `experiments run <file>` creates, runs and gates. */
export interface ExperimentDefinition {
  name: string;
  /** What identifies the experiment across runs of the file; the name when not given. */
  key: string;
  hypothesis?: string;
  steps: string[];
  tasks: TaskSelection;
  baseline: StepConfig;
  variants: VariantDefinition[];
  run: RunSettings;
  gates: GateDefinition[];
}

/** The reserved name by which a definition refers to the baseline. */
export const baselineName = 'baseline';

/** A path into the definition as written, e.g. `['variants', 1, 'change']`. */
export type FieldPath = ReadonlyArray<string | number>;

/** `variants[1].change` */
export function formatFieldPath(path: FieldPath): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
}
