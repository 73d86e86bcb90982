import type { ApiExperiment } from '../api/api-types.js';
import type { ExperimentUpdate } from '../api/experiments-api.js';

/**
 * The tasks a definition means, as the server is told them: task ids (listed, or `all` read from the server), or a
 * task source the server resolves itself (a Phoenix dataset, optionally one split).
 */
export type TaskChoice =
  | { kind: 'ids'; ids: readonly string[] }
  | {
      kind: 'source';
      sourceId: string;
      splits?: readonly string[];
      /** How the file names it, for messages: `dataset "support-bot" (split "odd")`. */
      label: string;
    };

/** The same strings, in any order. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((value, index) => value === sortedB[index]);
}

function sameSource(choice: Extract<TaskChoice, { kind: 'source' }>, held: ApiExperiment['taskSource']): boolean {
  return !!held && held.sourceId === choice.sourceId && sameSet(choice.splits ?? [], held.splits ?? []);
}

/** Whether the experiment holds the tasks the definition chooses: the same ids, or the same source and splits. */
export function sameTasks(choice: TaskChoice, experiment: ApiExperiment): boolean {
  return choice.kind === 'ids' ? sameSet(choice.ids, experiment.taskIds) : sameSource(choice, experiment.taskSource);
}

/** `sameTasks`, and chosen the same way: ids listed by id are not "all of a source", which the tab may have set. */
export function tasksChosenAlike(choice: TaskChoice, experiment: ApiExperiment): boolean {
  return sameTasks(choice, experiment) && (choice.kind === 'source' || !experiment.taskSource);
}

/** What `PATCH /experiments/:id` is sent to make the experiment's tasks the chosen ones. */
export function taskUpdate(choice: TaskChoice): Pick<ExperimentUpdate, 'taskIds' | 'taskSource'> {
  if (choice.kind === 'ids') return { taskIds: [...choice.ids] };
  return { taskSource: { sourceId: choice.sourceId, ...(choice.splits?.length ? { splits: [...choice.splits] } : {}) } };
}

/** How an experiment's tasks were chosen, for a message: `24 tasks chosen by id`, `the tasks of source … (split …)`. */
export function describeHeldTasks(experiment: ApiExperiment): string {
  const held = experiment.taskSource;
  if (!held) return `${experiment.taskCount} tasks chosen by id`;
  return `the ${experiment.taskCount} tasks of source ${held.sourceId}${held.splits?.length ? ` (split ${held.splits.join(', ')})` : ''}`;
}
