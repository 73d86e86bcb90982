import { sql } from 'kysely';
import type { ExperimentsConfig } from '../config.js';
import type { HostSpan } from '../host.js';
import type { Db } from '../store/connect.js';
import { isUuid } from '../domain/uuid.js';
import { runWorkflowId } from '../../workflows/shared.js';
import type { ArrivalEvaluator, RunArrival } from '../evaluation/arrival-evaluator.js';
import type { EvaluationSubject } from '../evaluation/evaluate-arrived-tests.js';

export interface LinkDependencies {
  db: Db;
  config: ExperimentsConfig;
  evaluator: ArrivalEvaluator;
}

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
    if (typeof value === 'string' && isUuid(value)) {
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
 * Links ingested traces to their tests: the link is written to Postgres first, then the test is queued
 * for evaluation, so a trace is never lost even when nothing evaluates it right away (the run's sweep
 * finds linked tests). A second trace for a test is kept as a duplicate and one after the deadline as
 * late; neither changes a result.
 */
export async function linkSpans(deps: LinkDependencies, projectId: string, spans: HostSpan[]): Promise<void> {
  const found = await candidates(deps.db, projectId, spans, deps.config.testIdAttribute);
  const arrivals: RunArrival[] = [];
  for (const candidate of found) {
    const arrival = await linkOne(deps.db, projectId, candidate);
    if (arrival) arrivals.push(arrival);
  }
  // Not awaited: the links are stored, and evaluating them must not hold up the host's ingestion.
  if (arrivals.length > 0) deps.evaluator.evaluate(arrivals);
}

/**
 * Records one trace's link and, when it is the test's first trace and its root span is here, attaches
 * it to the test, all in one statement: the test row is locked, the link kind decided (linked,
 * duplicate, late), the link upserted and the test moved to evaluating.
 */
async function linkOne(db: Db, projectId: string, candidate: Candidate) {
  const { testId, traceId, rootArrived } = candidate;
  const result = await sql<Omit<EvaluationSubject, 'status' | 'trace_id'> & { run_id: string; retries: number; attached: number }>`
    with test as (
      select tests.id, tests.status, tests.trace_id, tests.attempt, coalesce(tests.deadline_at < now(), false) as past_deadline,
        runs.id as run_id, runs.retries, runs.config, experiments.default_evaluations, experiment_tasks.snapshot
      from tests join runs on runs.id = tests.run_id join experiments on experiments.id = runs.experiment_id
      left join experiment_tasks on experiment_tasks.experiment_id = runs.experiment_id and experiment_tasks.task_id = tests.task_id
      where tests.test_id = ${testId} and experiments.project_id = ${projectId}
      for update of tests),
    earlier_attempt as (
      select 1 from test_attempts join tests on tests.id = test_attempts.test_row_id join runs on runs.id = tests.run_id
      join experiments on experiments.id = runs.experiment_id
      where test_attempts.test_id = ${testId} and experiments.project_id = ${projectId} limit 1),
    decided as (
      select case
        when test.trace_id is not null and test.trace_id <> ${traceId} then 'duplicate'
        when test.trace_id is null and (test.status not in ('pending', 'dispatched', 'awaiting_trace') or test.past_deadline) then 'late'
        else 'linked' end as kind
      from test
      union all
      select 'late' from earlier_attempt where not exists (select 1 from test)),
    link as (
      insert into trace_links (test_id, trace_id, project_id, kind, root_span_at)
      select ${testId}, ${traceId}, ${projectId}, decided.kind, case when ${rootArrived} then now() end from decided
      on conflict (test_id, trace_id) do update set root_span_at = coalesce(trace_links.root_span_at, excluded.root_span_at)
      returning 1),
    attached as (
      update tests set trace_id = ${traceId}, trace_arrived_at = now(), status = 'evaluating'
      from test, decided
      where tests.id = test.id and decided.kind = 'linked' and ${rootArrived} and test.trace_id is null
      returning tests.id)
    select test.id, test.attempt, test.run_id, test.retries, test.config, ${projectId}::text as project_id, test.default_evaluations, test.snapshot,
      (select count(*) from attached)::int as attached, (select count(*) from link)::int as links from test`.execute(db);
  const row = result.rows[0];
  if (!row || row.attached !== 1) return null;
  // What the evaluation needs, as this statement left the test: evaluating, with this trace.
  const subject: EvaluationSubject = {
    id: row.id, status: 'evaluating', attempt: row.attempt, trace_id: traceId, config: row.config,
    project_id: projectId, default_evaluations: row.default_evaluations, snapshot: row.snapshot,
  };
  return { runId: row.run_id, workflowId: runWorkflowId(row.run_id, row.retries), testId, traceId, subject };
}
