import { traceWaitingTestStatuses } from '../domain/experiment-status.js';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import { linkAll } from './link-spans.js';

/**
 * Attaches the root spans that linking missed: a test's trace whose test-carrying span was linked but whose
 * root came in a later batch, when the lookup that should have attached it failed or its process died.
 * Asks the host whether each such trace now has its root and, if so, links it as arrived (linking is
 * idempotent). The caller evaluates what this attaches: those tests are `evaluating` afterwards.
 */
export async function attachArrivedRoots(deps: { db: Db; host: ExperimentsHost }, runId: string, limit: number) {
  const pending = await deps.db
    .selectFrom('trace_links')
    .innerJoin('tests', 'tests.test_id', 'trace_links.test_id')
    .select(['trace_links.project_id', 'trace_links.test_id', 'trace_links.trace_id'])
    .where('tests.run_id', '=', runId)
    .where('tests.status', 'in', [...traceWaitingTestStatuses])
    .where('tests.trace_id', 'is', null)
    .where('trace_links.kind', '=', 'linked')
    .where('trace_links.root_span_at', 'is', null)
    .limit(limit)
    .execute();
  const leaveToCaller = { db: deps.db, evaluationQueue: { evaluateTests: () => {} } };
  for (const link of pending) {
    const trace = await deps.host.traces.get(link.project_id, link.trace_id);
    if (!trace?.spans.some((span) => !span.parentSpanId)) continue;
    await linkAll(leaveToCaller, link.project_id, [{ testId: link.test_id, traceId: link.trace_id, rootArrived: true }]);
  }
}
