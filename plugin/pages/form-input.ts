import type { z } from 'zod';
import { ExperimentsError } from '../errors.js';
import type { FieldErrors } from '../../views/form-fields.js';

const isProblem = (value: unknown): value is { path: string; message: string } =>
  typeof value === 'object' && value !== null && typeof (value as { path?: unknown }).path === 'string' && typeof (value as { message?: unknown }).message === 'string';

function collect(problems: ReadonlyArray<{ path: string; message: string }>, fieldOf: (path: string) => string): FieldErrors {
  const errors: FieldErrors = {};
  for (const problem of problems) {
    const field = fieldOf(problem.path);
    errors[field] ??= problem.message;
  }
  return errors;
}

/**
 * The field errors an operation refused with (`ExperimentsError.details` as `[{ path, message }]`), or null when
 * the error is not about fields; `fieldOf` maps a problem's path to a field of the form.
 */
export function fieldErrorsOf(error: unknown, fieldOf: (path: string) => string = (path) => path): FieldErrors | null {
  if (!(error instanceof ExperimentsError) || !Array.isArray(error.details)) return null;
  const problems = error.details.filter(isProblem);
  return problems.length > 0 ? collect(problems, fieldOf) : null;
}

/** The field errors of a failed zod parse of a form. */
export const zodFieldErrors = (error: z.ZodError, fieldOf: (path: string) => string = (path) => path): FieldErrors =>
  collect(
    error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    fieldOf,
  );

/** A form value as a number when it reads as one, undefined when blank, else the text (for the schema to refuse). */
export function numberOrText(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

/** The text fields of a posted form; repeated names keep every value. */
export async function readForm(request: { parseBody(options: { all: true }): Promise<Record<string, unknown>> }) {
  const body = await request.parseBody({ all: true });
  const all = (name: string): string[] => {
    const value = body[name];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return values.filter((entry): entry is string => typeof entry === 'string');
  };
  return { one: (name: string): string | undefined => all(name)[0], all };
}
