import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import { createBackgroundWork } from './background-work.js';
import { linkSpans } from './link-spans.js';

/**
 * Attaches the root spans that linking missed: a test's trace whose test-carrying span was linked but whose
 * root came in a later batch, when the lookup that should have attached it failed or its process died.
 * Reads each such trace from the host and links it again (linking is idempotent). The caller evaluates
 * what this attaches: those tests are `evaluating` afterwards. Returns how many traces had their root.
 */
export async function attachArrivedRoots(deps: { db: Db; host: ExperimentsHost; config: ExperimentsConfig }, runId: string, limit: number) {
  const pending = await deps.db
    .selectFrom('trace_links')
    .innerJoin('tests', 'tests.test_id', 'trace_links.test_id')
    .select(['trace_links.project_id', 'trace_links.trace_id'])
    .where('tests.run_id', '=', runId)
    .where('tests.status', 'in', ['pending', 'dispatched', 'awaiting_trace'])
    .where('tests.trace_id', 'is', null)
    .where('trace_links.kind', '=', 'linked')
    .where('trace_links.root_span_at', 'is', null)
    .limit(limit)
    .execute();
  const linkDeps = { db: deps.db, config: deps.config, evaluator: { evaluate: () => {} }, background: createBackgroundWork() };
  let attached = 0;
  for (const { project_id: projectId, trace_id: traceId } of pending) {
    const trace = await deps.host.traces.get(projectId, traceId);
    if (!trace?.spans.some((span) => !span.parentSpanId)) continue;
    await linkSpans(linkDeps, projectId, trace.spans);
    attached += 1;
  }
  return attached;
}
