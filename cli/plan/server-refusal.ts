import { ApiError } from '../api/api-client.js';
import type { DefinitionProblem } from '../definition/definition-problem.js';
import type { FieldPath } from '../definition/experiment-definition.js';
import type { Step } from './next-step.js';

/**
 * The problems of a 422 the server gave to one of the definition's writes, each placed at the field of the file it
 * came from (the server names fields of its request: `inferenceSteps.1`, `taskIds.3`, `taskSource.splits`,
 * `classifier.temperature`).
 * Null when the refusal is not about the definition's content.
 */
export function serverProblems(step: Step, error: unknown): DefinitionProblem[] | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null;
  const details = Array.isArray(error.details) ? (error.details as Array<{ path?: unknown; message?: unknown }>) : [];
  const fieldOf = (path: string): FieldPath | null => {
    const parts = path.split('.').filter((part) => part !== '');
    const [head, index] = parts;
    if (step.kind === 'update_experiment' && head === 'inferenceSteps') return index === undefined ? ['steps'] : ['steps', Number(index)];
    if (step.kind === 'update_experiment' && head === 'taskIds') return index === undefined ? ['tasks'] : ['tasks', Number(index)];
    if (step.kind === 'update_experiment' && head === 'taskSource')
      return index === 'splits' ? ['tasks', 'split'] : index === 'sourceId' ? ['tasks', 'phoenix_dataset'] : ['tasks'];
    if (step.kind === 'set_baseline') return ['baseline', ...parts];
    if (step.kind === 'create_variant') return ['variants', step.variant.index, 'change'];
    return null;
  };
  const problems = details.flatMap((detail) => {
    const path = fieldOf(String(detail.path ?? ''));
    return path ? [{ path, message: `refused by the server: ${String(detail.message ?? error.serverMessage)}` }] : [];
  });
  if (problems.length > 0) return problems;
  const whole = fieldOf('');
  return whole ? [{ path: whole, message: `refused by the server: ${error.serverMessage}` }] : null;
}
