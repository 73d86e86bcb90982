import { ApiError } from '../api/api-client.js';
import type { ExperimentsApi } from '../api/experiments-api.js';
import { whileServerAnswers, type ServerWaitOptions } from '../api/server-wait.js';
import type { DefinitionProblem } from '../definition/definition-problem.js';
import type { LoadedDefinition } from '../definition/load-definition.js';
import { probeRunSettings, runSettingProblem } from './run-options.js';

const notServed = (error: unknown) => error instanceof ApiError && error.status === 404;

async function allTaskIds(api: ExperimentsApi): Promise<string[] | null> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    let page;
    try {
      page = await api.listTasks(cursor);
    } catch (error) {
      if (notServed(error)) return null;
      throw error;
    }
    ids.push(...page.items.map((task) => task.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

async function knownSteps(api: ExperimentsApi): Promise<Set<string> | null> {
  try {
    return new Set((await api.listInferenceSteps()).steps.map((step) => step.externalId));
  } catch (error) {
    if (notServed(error)) return null;
    throw error;
  }
}

/**
 * What the server must confirm before anything is created: the task ids the definition means, that its steps
 * exist (where the server can list them), and that it takes the run settings. A problem is refused at its line.
 */
export async function preflight(api: ExperimentsApi, loaded: LoadedDefinition, wait: ServerWaitOptions): Promise<{ taskIds: string[] }> {
  const { definition } = loaded;
  const problems: DefinitionProblem[] = [];
  let taskIds: string[] = [];
  const { tasks } = definition;
  if (tasks.kind === 'ids') {
    taskIds = tasks.ids;
  } else if (tasks.kind === 'all') {
    const ids = await whileServerAnswers(() => allTaskIds(api), wait);
    if (ids === null)
      problems.push({
        path: ['tasks'],
        message: "not supported by this server: it cannot list the project's tasks yet; list the task ids instead of `all`",
      });
    else if (ids.length === 0) problems.push({ path: ['tasks'], message: 'the project has no tasks yet' });
    else taskIds = ids;
  } else {
    // The host contract knows task sources (Phoenix datasets and splits), but the JSON API cannot select one yet.
    problems.push({
      path: ['tasks', 'phoenix_dataset'],
      message:
        "not supported by this server: its API cannot take tasks from a Phoenix dataset yet; on a Phoenix host, choose the dataset in the shell's settings and write `tasks: all`, or list the task ids",
    });
  }

  const steps = await whileServerAnswers(() => knownSteps(api), wait);
  if (steps) {
    definition.steps.forEach((step, index) => {
      if (!steps.has(step))
        problems.push({
          path: ['steps', index],
          message: `unknown step "${step}": the project has ${[...steps].map((s) => `"${s}"`).join(', ') || 'no inference steps'}`,
        });
    });
  }

  const refused = await whileServerAnswers(() => probeRunSettings(api, definition.run), wait);
  problems.push(...refused.map(runSettingProblem));
  if (problems.length > 0) throw loaded.refuse(problems);
  return { taskIds };
}
