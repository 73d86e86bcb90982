import { formatFieldPath, type FieldPath } from './experiment-definition.js';

/** One thing wrong with a definition, at a field (or at the field's key, for a name that should not be there). */
export interface DefinitionProblem {
  path: FieldPath;
  message: string;
  at?: 'key' | 'value';
}

/** Where a problem is in the file, 1-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A definition refused with every problem found, each named by file, line and field. */
export class DefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ReadonlyArray<DefinitionProblem & SourcePosition>,
  ) {
    super(problems.map((problem) => formatProblem(file, problem)).join('\n'));
    this.name = 'DefinitionError';
  }
}

/** `file.yaml:12:5: variants[1].change: …`, the form editors and CI logs link to a line. */
export function formatProblem(file: string, problem: DefinitionProblem & SourcePosition): string {
  const field = formatFieldPath(problem.path);
  return `${file}:${problem.line}:${problem.column}: ${field ? `${field}: ` : ''}${problem.message}`;
}
