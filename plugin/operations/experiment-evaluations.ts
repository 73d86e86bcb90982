import { parseEvaluations, type EvaluationConfig } from '../domain/evaluators/index.js';
import { ExperimentsError } from '../errors.js';
import { recordExperimentEdit, setDefaultEvaluations } from '../store/experiment-repository.js';
import type { Caller } from './caller.js';
import { assertEvaluationsEditable } from './experiment-guards.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import type { PluginContext } from './plugin-context.js';

/** The experiment-level evaluations, added to every task's own (DESIGN §7). */
export async function getExperimentEvaluations(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
): Promise<{ evaluations: Array<Record<string, unknown>> }> {
  const experiment = await loadExperiment(context.db, experimentScope(caller, experimentId));
  return { evaluations: experiment.defaultEvaluations };
}

/** Replaces the experiment-level evaluations; refused while a run is going or once archived. */
export async function setExperimentEvaluations(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  input: { evaluations: unknown[] },
): Promise<{ evaluations: EvaluationConfig[] }> {
  const { db } = context;
  const experiment = await loadExperiment(db, experimentScope(caller, experimentId));
  const evaluations = parseEvaluations(input.evaluations);
  assertEvaluationsEditable(experiment);
  if (!(await setDefaultEvaluations(db, experiment, evaluations))) {
    throw new ExperimentsError('conflict', 'The experiment changed meanwhile; reload it and try again.');
  }
  await recordExperimentEdit(db, { experimentId: experiment.id, actor: caller.actor, kind: 'evaluations_changed', details: { count: evaluations.length } });
  return { evaluations };
}
