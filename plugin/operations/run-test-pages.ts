import { countSelectedTests, positionBeforeOffset, type TestSelection } from '../store/test-counts.js';
import { webhookBodiesAt } from '../store/dispatch-repository.js';
import type { PluginContext } from './plugin-context.js';
import { selectedTaskIds, type RunBesideBaseline, type RunTestsQuery } from './run-tests.js';

/** A filter of a run's tests: by status, by flip against the baseline, or flaky tasks only. */
export type TestFilter = Pick<RunTestsQuery, 'status' | 'flip' | 'flaky'>;

const selectionOf = (beside: RunBesideBaseline, filter: TestFilter): TestSelection => {
  const taskIds = selectedTaskIds(beside, filter);
  return { ...(filter.status === undefined ? {} : { status: filter.status }), ...(taskIds === undefined ? {} : { taskIds }) };
};

/** How many of the run's tests each filter keeps, so the breakdown's tabs can say so. */
export async function countRunTests<Key extends string>(
  context: PluginContext,
  beside: RunBesideBaseline,
  filters: Record<Key, TestFilter>,
): Promise<Record<Key, number>> {
  const entries = await Promise.all(
    (Object.entries(filters) as Array<[Key, TestFilter]>).map(
      async ([key, filter]) => [key, await countSelectedTests(context.db, beside.run.id, selectionOf(beside, filter))] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<Key, number>;
}

/** Where page `page` (1-based) of a filter's tests starts: the position to read after. */
export function pageStartPosition(
  context: PluginContext,
  beside: RunBesideBaseline,
  filter: TestFilter,
  page: number,
  perPage: number,
): Promise<number> {
  return positionBeforeOffset(context.db, beside.run.id, selectionOf(beside, filter), (page - 1) * perPage);
}

/** The page (1-based) that the test after `afterPosition` falls on, for a filter's tests. */
export async function pageAfterPosition(
  context: PluginContext,
  beside: RunBesideBaseline,
  filter: TestFilter,
  afterPosition: number,
  perPage: number,
): Promise<number> {
  if (afterPosition < 0) return 1;
  const before = await countSelectedTests(context.db, beside.run.id, { ...selectionOf(beside, filter), upToPosition: afterPosition });
  return Math.floor(before / perPage) + 1;
}

/** The webhook bodies of tests of the run (by position) as they were sent: prompt, metadata, task and overrides per step. */
export function webhookPayloads(context: PluginContext, beside: RunBesideBaseline, positions: readonly number[]) {
  return webhookBodiesAt(context.db, beside.run.id, positions);
}
