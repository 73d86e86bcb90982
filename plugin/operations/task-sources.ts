import { ExperimentsError } from '../errors.js';
import type { HostTask, HostTaskSource } from '../host.js';
import type { Caller } from './caller.js';
import type { PluginContext } from './plugin-context.js';
import { maxTasks } from './resolve-selection.js';

export type { HostTaskSource };

/** The task sources of the caller's project (Phoenix: its datasets with their splits); none on a host without. */
export async function listTaskSources(context: PluginContext, caller: Caller): Promise<HostTaskSource[]> {
  return (await context.host.tasks.sources?.(caller.projectId)) ?? [];
}

/**
 * The tasks of a source (or of some of its splits) as the host has them now; an unknown source or split, an empty
 * selection or one over the most an experiment may hold are refused (422).
 */
export async function resolveTaskSource(
  context: PluginContext,
  projectId: string,
  selection: { sourceId: string; splits?: string[] | undefined },
): Promise<HostTask[]> {
  const { sources, fromSource } = context.host.tasks;
  if (!sources || !fromSource) {
    throw new ExperimentsError('unprocessable', 'This host has no task sources; choose tasks by id (taskIds).', [
      { path: 'taskSource', message: 'not supported by this host' },
    ]);
  }
  const source = (await sources.call(context.host.tasks, projectId)).find((candidate) => candidate.id === selection.sourceId);
  if (!source) {
    throw new ExperimentsError('unprocessable', `Unknown task source ${JSON.stringify(selection.sourceId)}.`, [
      { path: 'taskSource.sourceId', message: 'not a task source of this project' },
    ]);
  }
  const splits = selection.splits ?? [];
  const unknown = splits.filter((split) => !(source.splits ?? []).some((known) => known.name === split || known.id === split));
  if (unknown.length > 0) {
    throw new ExperimentsError('unprocessable', `"${source.name}" has no split ${unknown.map((s) => JSON.stringify(s)).join(', ')}.`, [
      { path: 'taskSource.splits', message: `splits of this source: ${(source.splits ?? []).map((s) => s.name).join(', ') || 'none'}` },
    ]);
  }
  const { tasks } = await fromSource.call(context.host.tasks, projectId, { sourceId: source.id, ...(splits.length ? { splits } : {}) });
  if (tasks.length === 0) {
    throw new ExperimentsError('unprocessable', `"${source.name}"${splits.length ? ` (${splits.join(', ')})` : ''} has no tasks to run.`, [
      { path: 'taskSource', message: 'no tasks' },
    ]);
  }
  if (tasks.length > maxTasks) {
    throw new ExperimentsError(
      'unprocessable',
      `An experiment has at most ${maxTasks.toLocaleString('en-US')} tasks; "${source.name}" has ${tasks.length.toLocaleString('en-US')}.`,
      [{ path: 'taskSource', message: `at most ${maxTasks} tasks` }],
    );
  }
  return tasks;
}
