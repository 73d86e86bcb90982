import { z } from 'zod';
import { ExperimentsError } from '../../errors.js';
import { containsSchema, notContainsSchema } from './contains.js';
import { equalsSchema } from './equals.js';
import { jsonSchemaSchema } from './json-schema.js';
import { jsonValidSchema } from './json-valid.js';
import { llmJudgeSchema } from './llm-judge.js';
import { maxLatencySchema } from './max-latency.js';
import { maxTokensSchema } from './max-tokens.js';
import { outputMatchSchema } from './output-match.js';
import { regexSchema } from './regex.js';

/** Every evaluation a task or an experiment may carry, told apart by `type` (DESIGN §7). */
export const evaluationSchema = z.discriminatedUnion('type', [
  containsSchema,
  notContainsSchema,
  equalsSchema,
  regexSchema,
  jsonValidSchema,
  jsonSchemaSchema,
  outputMatchSchema,
  maxLatencySchema,
  maxTokensSchema,
  llmJudgeSchema,
]);

/** A parsed evaluation, defaults applied. */
export type EvaluationConfig = z.output<typeof evaluationSchema>;

/** An evaluation as written by a person, defaults optional. */
export type EvaluationInput = z.input<typeof evaluationSchema>;

/** The evaluation types, in the order they are documented. */
export const EVALUATION_TYPES = evaluationSchema.options.map((option) => option.shape.type.value);

/** One problem in a list of evaluations, e.g. `{ index: 1, path: 'evaluations[1].pattern', message: '…' }`. */
export interface EvaluationIssue {
  index: number;
  path: string;
  message: string;
}

/** Parses a list of evaluations, or throws `unprocessable` naming every bad entry by index. */
export function parseEvaluations(list: unknown, field = 'evaluations'): EvaluationConfig[] {
  if (!Array.isArray(list)) {
    throw new ExperimentsError('unprocessable', `${field} must be a list of evaluations.`, {
      issues: [{ index: -1, path: field, message: 'must be a list' }],
    });
  }
  const issues: EvaluationIssue[] = [];
  const parsed: EvaluationConfig[] = [];
  list.forEach((item: unknown, index) => {
    const at = `${field}[${index}]`;
    const type = typeof item === 'object' && item !== null ? (item as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !(EVALUATION_TYPES as readonly string[]).includes(type)) {
      const got =
        typeof item !== 'object' || item === null || Array.isArray(item)
          ? 'not an object'
          : type === undefined
            ? 'no type'
            : `type ${JSON.stringify(type)}`;
      issues.push({ index, path: `${at}.type`, message: `unknown evaluation (${got}); expected one of ${EVALUATION_TYPES.join(', ')}` });
      return;
    }
    const result = evaluationSchema.safeParse(item);
    if (result.success) {
      parsed.push(result.data);
      return;
    }
    for (const issue of result.error.issues) {
      issues.push({ index, path: [at, ...issue.path.map(String)].join('.'), message: describe(issue) });
    }
  });
  if (issues.length > 0) {
    const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    throw new ExperimentsError('unprocessable', `Invalid ${field}: ${summary}.`, { issues });
  }
  return parsed;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return `is required (${issue.expected})`;
  return issue.message;
}
