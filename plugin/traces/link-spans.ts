import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { ExperimentsConfig } from '../config.js';
import type { HostSpan } from '../host.js';
import type { Db } from '../store/connect.js';
import { runWorkflowId, traceArrivedSignal } from '../../workflows/shared.js';

export interface LinkDependencies {
  db: Db;
  config: ExperimentsConfig;
  temporal: () => Promise<Client>;
  log?: (message: string) => void;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Candidate {
  testId: string;
  traceId: string;
  rootArrived: boolean;
}

/** Which traces in a batch of spans belong to tests, and whether their root span is in it. */
async function candidates(db: Db, projectId: string, spans: HostSpan[], attribute: string): Promise<Candidate[]> {
  const byTrace = new Map<string, Candidate>();
  const rootsWithoutTestId: string[] = [];
  for (const span of spans) {
    const isRoot = !span.parentSpanId;
    const value = span.attributes[attribute];
    if (typeof value === 'string' && uuidPattern.test(value)) {
      const existing = byTrace.get(span.traceId);
      byTrace.set(span.traceId, { testId: value.toLowerCase(), traceId: span.traceId, rootArrived: isRoot || (existing?.rootArrived ?? false) });
    } else if (isRoot) {
      rootsWithoutTestId.push(span.traceId);
    }
  }
  for (const traceId of rootsWithoutTestId) {
    const known = byTrace.get(traceId);
    if (known) known.rootArrived = true;
  }
  // A root span may come in a later batch than the child span that carried the test id.
  const unmatchedRoots = rootsWithoutTestId.filter((traceId) => !byTrace.has(traceId));
  if (unmatchedRoots.length > 0) {
    const links = await db
      .selectFrom('trace_links')
      .select(['test_id', 'trace_id'])
      .where('project_id', '=', projectId)
      .where('trace_id', 'in', unmatchedRoots)
      .execute();
    for (const link of links) byTrace.set(link.trace_id, { testId: link.test_id, traceId: link.trace_id, rootArrived: true });
  }
  return [...byTrace.values()];
}

/**
 * Links ingested traces to their tests: the link is written to Postgres first, then the run's
 * workflow is signalled, so a trace is never lost even when the workflow is not listening.
 * A second trace for a test is kept as a duplicate and one after the deadline as late; neither
 * changes a result.
 */
export async function linkSpans(deps: LinkDependencies, projectId: string, spans: HostSpan[]): Promise<void> {
  const found = await candidates(deps.db, projectId, spans, deps.config.testIdAttribute);
  const signals: Array<{ workflowId: string; testId: string; traceId: string }> = [];
  for (const candidate of found) {
    const signal = await linkOne(deps.db, projectId, candidate);
    if (signal) signals.push(signal);
  }
  if (signals.length === 0) return;
  try {
    const client = await deps.temporal();
    await Promise.all(
      signals.map((s) => client.workflow.getHandle(s.workflowId).signal(traceArrivedSignal, { testId: s.testId, traceId: s.traceId })),
    );
  } catch (error) {
    // The link is stored; the run's periodic sweep picks it up.
    (deps.log ?? console.warn)(`experiments: could not signal a run about ${signals.length} trace(s): ${(error as Error).message}`);
  }
}

async function linkOne(db: Db, projectId: string, candidate: Candidate) {
  return db.transaction().execute(async (trx) => {
    const test = await trx
      .selectFrom('tests')
      .innerJoin('runs', 'runs.id', 'tests.run_id')
      .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
      .select(['tests.id', 'tests.status', 'tests.trace_id', 'runs.id as run_id', 'runs.retries', sql<boolean>`tests.deadline_at < now()`.as('past_deadline')])
      .where('tests.test_id', '=', candidate.testId)
      .where('experiments.project_id', '=', projectId)
      .forUpdate(['tests'])
      .executeTakeFirst();

    if (!test) {
      // A test id of an earlier attempt (retried in place) or of another project: keep it as late if ours.
      const earlier = await trx
        .selectFrom('test_attempts')
        .innerJoin('tests', 'tests.id', 'test_attempts.test_row_id')
        .innerJoin('runs', 'runs.id', 'tests.run_id')
        .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
        .select('test_attempts.id')
        .where('test_attempts.test_id', '=', candidate.testId)
        .where('experiments.project_id', '=', projectId)
        .executeTakeFirst();
      if (earlier) await recordLink(trx, projectId, candidate, 'late');
      return null;
    }

    const open = ['pending', 'dispatched', 'awaiting_trace'].includes(test.status);
    const kind = test.trace_id && test.trace_id !== candidate.traceId ? 'duplicate' : !open && !test.trace_id ? 'late' : test.past_deadline && !test.trace_id ? 'late' : 'linked';
    await recordLink(trx, projectId, candidate, kind);
    if (kind !== 'linked' || !candidate.rootArrived || test.trace_id) return null;

    await trx
      .updateTable('tests')
      .set({ trace_id: candidate.traceId, trace_arrived_at: sql`now()`, status: 'evaluating' })
      .where('id', '=', test.id)
      .where('trace_id', 'is', null)
      .execute();
    return { workflowId: runWorkflowId(test.run_id, test.retries), testId: candidate.testId, traceId: candidate.traceId };
  });
}

async function recordLink(db: Db, projectId: string, candidate: Candidate, kind: 'linked' | 'duplicate' | 'late') {
  await db
    .insertInto('trace_links')
    .values({
      test_id: candidate.testId,
      trace_id: candidate.traceId,
      project_id: projectId,
      kind,
      root_span_at: candidate.rootArrived ? sql`now()` : null,
    })
    .onConflict((oc) =>
      oc.columns(['test_id', 'trace_id']).doUpdateSet({ root_span_at: sql`coalesce(trace_links.root_span_at, excluded.root_span_at)` }),
    )
    .execute();
}
