import type { Problem } from '../domain/parameters.js';
import { ExperimentsError } from '../errors.js';
import type { HostInferenceStep, HostTask } from '../host.js';
import type { PluginContext } from './plugin-context.js';

/** The most tasks one experiment may hold. */
export const maxTasks = 10_000;
const shownIds = 10;

const quoteList = (values: readonly string[]) => {
  const shown = values.slice(0, shownIds).map((value) => JSON.stringify(value));
  return values.length > shownIds ? `${shown.join(', ')} and ${values.length - shownIds} more` : shown.join(', ');
};

// One problem per repetition, so a client can point at each; `ids` names each repeated id once.
function duplicates(ids: readonly string[], field: string, what: string): { ids: string[]; problems: Problem[] } {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  const problems = ids.flatMap((id, index) => {
    if (!seen.has(id)) {
      seen.add(id);
      return [];
    }
    repeated.add(id);
    return [{ path: `${field}.${index}`, message: `${what} ${JSON.stringify(id)} is listed more than once` }];
  });
  return { ids: [...repeated], problems };
}

function refuseProblems(message: string, problems: Problem[]): never {
  throw new ExperimentsError('unprocessable', message, problems);
}

/** The host's steps for the given ids, in the order given; repeated or unknown ids are refused (422). */
export async function resolveSteps(context: PluginContext, projectId: string, ids: readonly string[]): Promise<HostInferenceStep[]> {
  const repeated = duplicates(ids, 'inferenceSteps', 'inference step');
  if (repeated.ids.length > 0)
    refuseProblems(`Each inference step may be selected once; repeated: ${quoteList(repeated.ids)}.`, repeated.problems);
  if (ids.length === 0) return [];
  const catalog = new Map((await context.host.inferenceSteps.list(projectId)).map((step) => [step.externalId, step]));
  const unknown = ids.flatMap((id, index) => (catalog.has(id) ? [] : [{ id, index }]));
  if (unknown.length > 0) {
    const known = [...catalog.keys()];
    refuseProblems(
      `Unknown inference steps: ${quoteList(unknown.map((u) => u.id))}. ${known.length > 0 ? `Steps of this project: ${quoteList(known)}.` : 'This project has no inference steps yet.'}`,
      unknown.map(({ id, index }) => ({
        path: `inferenceSteps.${index}`,
        message: `${JSON.stringify(id)} is not an inference step of this project`,
      })),
    );
  }
  return ids.map((id) => catalog.get(id)!);
}

/** The host's tasks for the given ids, in the order given; too many, repeated or unknown ids are refused (422). */
export async function resolveTasks(context: PluginContext, projectId: string, ids: readonly string[]): Promise<HostTask[]> {
  if (ids.length > maxTasks) {
    refuseProblems(
      `An experiment has at most ${maxTasks.toLocaleString('en-US')} tasks; ${ids.length.toLocaleString('en-US')} were given.`,
      [{ path: 'taskIds', message: `at most ${maxTasks} tasks` }],
    );
  }
  const repeated = duplicates(ids, 'taskIds', 'task');
  if (repeated.ids.length > 0) refuseProblems(`Each task may be selected once; repeated: ${quoteList(repeated.ids)}.`, repeated.problems);
  if (ids.length === 0) return [];
  const found = new Map((await context.host.tasks.getMany(projectId, [...ids])).map((task) => [task.id, task]));
  const unknown = ids.flatMap((id, index) => (found.has(id) ? [] : [{ id, index }]));
  if (unknown.length > 0) {
    refuseProblems(
      `Unknown tasks: ${quoteList(unknown.map((u) => u.id))}; they do not exist in this project.`,
      unknown.map(({ id, index }) => ({ path: `taskIds.${index}`, message: `${JSON.stringify(id)} is not a task of this project` })),
    );
  }
  return ids.map((id) => found.get(id)!);
}
