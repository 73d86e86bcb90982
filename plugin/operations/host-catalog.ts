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

/** Which tasks a page lists: the experiment's task source (its splits, at its pinned version) or, without one, the project's. */
export interface TaskListing {
  search?: string | undefined;
  cursor?: string | undefined;
  limit: number;
  source?: { sourceId: string; splits?: string[] | undefined; version?: string | undefined } | null | undefined;
}

/**
 * A page of tasks, optionally matching a search: those of the given task source when there is one and the host
 * reads sources (a Phoenix dataset other than the project's, some of its splits, the version a baseline pinned),
 * else the caller's project's catalog as the host lists it.
 */
export async function browseTasks(context: PluginContext, caller: Caller, query: TaskListing): Promise<Page<HostTask>> {
  const fromSource = context.host.tasks.fromSource;
  if (query.source && fromSource) {
    const { sourceId, splits, version } = query.source;
    const read = await fromSource.call(context.host.tasks, caller.projectId, {
      sourceId,
      ...(splits?.length ? { splits } : {}),
      ...(version ? { version } : {}),
    });
    const search = query.search?.trim().toLowerCase();
    const tasks = search
      ? read.tasks.filter((task) => task.title.toLowerCase().includes(search) || task.prompt.toLowerCase().includes(search))
      : read.tasks;
    const offset = /^\d{1,9}$/.test(query.cursor ?? '') ? Number(query.cursor) : 0;
    const items = tasks.slice(offset, offset + query.limit);
    return { items, ...(offset + query.limit < tasks.length ? { nextCursor: String(offset + query.limit) } : {}) };
  }
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
