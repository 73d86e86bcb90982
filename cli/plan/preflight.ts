import { ApiError } from '../api/api-client.js';
import type { ExperimentsApi } from '../api/experiments-api.js';
import { whileServerAnswers, type ServerWaitOptions } from '../api/server-wait.js';
import type { DefinitionProblem } from '../definition/definition-problem.js';
import type { TaskSelection } from '../definition/experiment-definition.js';
import type { LoadedDefinition } from '../definition/load-definition.js';
import { probeRunSettings, runSettingProblem } from './run-options.js';
import type { TaskChoice } from './task-choice.js';

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

type DatasetSelection = Extract<TaskSelection, { kind: 'phoenix_dataset' }>;

// Sorted: the host lists them in no fixed order, and a message should read the same every time.
const quotedList = (names: readonly string[]) =>
  [...names]
    .sort()
    .map((name) => JSON.stringify(name))
    .join(', ');

/**
 * The task source a `{ phoenix_dataset, split }` names, by name or id, from the server's list; otherwise the
 * problems to refuse it with, at the field that is wrong.
 */
async function datasetChoice(api: ExperimentsApi, selection: DatasetSelection): Promise<TaskChoice | DefinitionProblem[]> {
  let sources;
  try {
    sources = await api.listTaskSources();
  } catch (error) {
    if (!notServed(error)) throw error;
    return [
      {
        path: ['tasks', 'phoenix_dataset'],
        message: 'not supported by this server: it cannot list task sources (datasets) yet; list the task ids instead',
      },
    ];
  }
  if (sources.length === 0) {
    return [
      {
        path: ['tasks', 'phoenix_dataset'],
        message: "this server's host has no datasets (it is not Phoenix); list the task ids or write `all`",
      },
    ];
  }
  const wanted = selection.dataset;
  const byName = sources.filter((source) => source.name === wanted);
  const source = sources.find((candidate) => candidate.id === wanted) ?? (byName.length === 1 ? byName[0] : undefined);
  if (!source) {
    return [
      {
        path: ['tasks', 'phoenix_dataset'],
        message:
          byName.length > 1
            ? `${byName.length} datasets are named ${JSON.stringify(wanted)}; name one by its id (${byName.map((s) => s.id).join(', ')})`
            : `no dataset ${JSON.stringify(wanted)} on this server; its datasets are ${quotedList(sources.map((s) => s.name))}`,
      },
    ];
  }
  const label = `dataset ${JSON.stringify(source.name)}`;
  if (selection.split === undefined) {
    if (source.taskCount === 0) return [{ path: ['tasks', 'phoenix_dataset'], message: `${label} has no examples to run` }];
    return { kind: 'source', sourceId: source.id, label };
  }
  const splits = source.splits ?? [];
  const split = splits.find((candidate) => candidate.name === selection.split || candidate.id === selection.split);
  if (!split) {
    return [
      {
        path: ['tasks', 'split'],
        message: `${label} has no split ${JSON.stringify(selection.split)}; ${splits.length ? `its splits are ${quotedList(splits.map((s) => s.name))}` : 'it has no splits'}`,
      },
    ];
  }
  if (split.taskCount === 0)
    return [{ path: ['tasks', 'split'], message: `split ${JSON.stringify(split.name)} of ${label} has no examples to run` }];
  // Sent by name, as the tab sends it, so a second run of the file finds the selection it made.
  return { kind: 'source', sourceId: source.id, splits: [split.name], label: `${label} (split ${JSON.stringify(split.name)})` };
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
 * What the server must confirm before anything is created: the tasks the definition means (the ids of `all`, the
 * dataset and split of `phoenix_dataset`), that its steps exist (where the server can list them), and that it takes
 * the run settings. A problem is refused at its line.
 */
export async function preflight(api: ExperimentsApi, loaded: LoadedDefinition, wait: ServerWaitOptions): Promise<{ tasks: TaskChoice }> {
  const { definition } = loaded;
  const problems: DefinitionProblem[] = [];
  let choice: TaskChoice = { kind: 'ids', ids: [] };
  const { tasks } = definition;
  if (tasks.kind === 'ids') {
    choice = { kind: 'ids', ids: tasks.ids };
    // Checked here, where the server can list its tasks, so an unknown id is refused before an experiment exists.
    const known = await whileServerAnswers(() => allTaskIds(api), wait);
    if (known) {
      const knownIds = new Set(known);
      tasks.ids.forEach((id, index) => {
        if (!knownIds.has(id)) problems.push({ path: ['tasks', index], message: `no task ${JSON.stringify(id)} in this project` });
      });
    }
  } else if (tasks.kind === 'all') {
    const ids = await whileServerAnswers(() => allTaskIds(api), wait);
    if (ids === null)
      problems.push({
        path: ['tasks'],
        message: "not supported by this server: it cannot list the project's tasks yet; list the task ids instead of `all`",
      });
    else if (ids.length === 0) problems.push({ path: ['tasks'], message: 'the project has no tasks yet' });
    else choice = { kind: 'ids', ids };
  } else {
    const found = await whileServerAnswers(() => datasetChoice(api, tasks), wait);
    if (Array.isArray(found)) problems.push(...found);
    else choice = found;
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
  return { tasks: choice };
}
