import type { HostInferenceStep, HostTask, Page } from '../host.js';
import type { Caller } from './caller.js';
import type { PluginContext } from './plugin-context.js';
import { maxTasks } from './resolve-selection.js';

export type { HostInferenceStep, HostTask };

const catalogPageSize = 200;

/** The inference steps of the caller's project, as the host lists them. */
export function listInferenceSteps(context: PluginContext, caller: Caller): Promise<HostInferenceStep[]> {
  return context.host.inferenceSteps.list(caller.projectId);
}

/** A page of the caller's project's tasks, optionally matching a search. */
export function browseTasks(
  context: PluginContext,
  caller: Caller,
  query: { search?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<HostTask>> {
  return context.host.tasks.list(caller.projectId, {
    limit: query.limit,
    ...(query.search ? { search: query.search } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
}

/** Every task id matching the search, read page by page from the host, up to just past the most an experiment may hold. */
export async function matchingTaskIds(context: PluginContext, caller: Caller, search: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await browseTasks(context, caller, { search, cursor, limit: catalogPageSize });
    ids.push(...page.items.map((task) => task.id));
    cursor = page.nextCursor;
  } while (cursor && ids.length <= maxTasks);
  return ids;
}
