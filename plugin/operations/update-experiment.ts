import type { ExperimentEvent } from '../domain/experiment-status.js';
import type { ExperimentConfig } from '../domain/parameters.js';
import type { PluginContext } from './plugin-context.js';
import {
  countExperimentTasks,
  listExperimentSteps,
  recordExperimentEdit,
  replaceExperimentSteps,
  replaceExperimentTasks,
  updateExperiment as updateStored,
} from '../store/experiment-repository.js';
import { transitionExperiment } from '../store/experiment-transitions.js';
import type { Caller } from './caller.js';
import { assertConfigurable, refuseArchived } from './experiment-guards.js';
import type { UpdateExperimentInput } from './experiment-input.js';
import { readExperimentView, type ExperimentView } from './experiment-view.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import { resolveSteps, resolveTasks } from './resolve-selection.js';
import { resolveTaskSource } from './task-sources.js';
import { setTaskSource } from '../store/task-source-repository.js';

const withoutSteps = (config: ExperimentConfig, dropped: readonly string[]): ExperimentConfig =>
  Object.fromEntries(Object.entries(config).filter(([step]) => !dropped.includes(step)));

/**
 * Renames an experiment or replaces its step and task selection; a selection change moves it between `draft` and
 * `baseline_pending` and is refused once the baseline has locked it.
 */
export async function updateExperiment(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  input: UpdateExperimentInput,
): Promise<ExperimentView> {
  const { db } = context;
  const scope = experimentScope(caller, experimentId);
  const { actor } = caller;
  const changesSelection = input.inferenceSteps !== undefined || input.taskIds !== undefined || input.taskSource !== undefined;
  const attempt = 'Cannot change the task or step selection';

  // Checked before asking the host, so a locked experiment is refused for what it is; checked again under the lock.
  const before = await loadExperiment(db, scope);
  if (before.status === 'archived') throw refuseArchived(before);
  if (changesSelection) assertConfigurable(before, attempt);
  const steps = input.inferenceSteps === undefined ? undefined : await resolveSteps(context, scope.projectId, input.inferenceSteps);
  const tasks = input.taskSource
    ? await resolveTaskSource(context, scope.projectId, input.taskSource)
    : input.taskIds === undefined
      ? undefined
      : await resolveTasks(context, scope.projectId, input.taskIds);

  const naming = {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.description === undefined ? {} : { description: input.description }),
  };
  const changed = (['name', 'description', 'inferenceSteps', 'taskIds', 'taskSource'] as const).filter((key) => input[key] !== undefined);

  await db.transaction().execute(async (trx) => {
    const experiment = await loadExperiment(trx, scope, true);
    if (experiment.status === 'archived') throw refuseArchived(experiment);
    if (!changesSelection) {
      await updateStored(trx, experiment.id, naming);
      await recordExperimentEdit(trx, { experimentId: experiment.id, actor, kind: 'updated', details: { changed } });
      return;
    }
    assertConfigurable(experiment, attempt);

    // A removed step's parameters would otherwise still be sent for a step that is no longer in scope.
    const droppedSteps =
      steps === undefined ? [] : Object.keys(experiment.baselineConfig).filter((step) => !steps.some((s) => s.externalId === step));
    if (steps !== undefined) await replaceExperimentSteps(trx, experiment.id, steps);
    if (tasks !== undefined) await replaceExperimentTasks(trx, experiment.id, tasks);
    // Tasks chosen by id are no longer "all of a source"; a source chosen again is pinned again by the baseline.
    if (input.taskSource !== undefined || input.taskIds !== undefined) await setTaskSource(trx, experiment.id, input.taskSource ?? null);
    const stepCount = steps?.length ?? (await listExperimentSteps(trx, scope)).length;
    const taskCount = tasks?.length ?? (await countExperimentTasks(trx, scope));
    await updateStored(trx, experiment.id, {
      ...naming,
      ...(droppedSteps.length === 0 ? {} : { baselineConfig: withoutSteps(experiment.baselineConfig, droppedSteps) }),
    });
    const event: ExperimentEvent = stepCount > 0 && taskCount > 0 ? 'select' : 'clear_selection';
    await transitionExperiment(trx, {
      experimentId: experiment.id,
      event,
      actor,
      reason: `${stepCount} inference step(s) and ${taskCount} task(s) selected`,
      details: { stepCount, taskCount },
    });
    await recordExperimentEdit(trx, {
      experimentId: experiment.id,
      actor,
      kind: 'updated',
      details: { changed, stepCount, taskCount, ...(droppedSteps.length === 0 ? {} : { droppedSteps }) },
    });
  });
  return readExperimentView(db, scope);
}
