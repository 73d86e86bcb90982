import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { ExperimentsConfig } from '../config.js';
import type { HostSpan } from '../host.js';
import type { Db } from '../store/connect.js';
import { traceWaitingTestStatuses } from '../domain/experiment-status.js';
import { isUuid } from '../domain/uuid.js';
import { runWorkflowId } from '../../workflows/shared.js';
import type { EvaluationQueue, RunArrival } from '../evaluation/evaluation-queue.js';
import { selectEvaluationSubjects, type EvaluationSubject } from '../store/evaluation-subject.js';
import type { BackgroundWork } from './background-work.js';
import type { OpenRunCheck } from './open-run-check.js';

export interface LinkDependencies {
  db: Db;
  config: ExperimentsConfig;
  /** Takes the tests whose trace is now attached. */
  evaluationQueue: Pick<EvaluationQueue, 'evaluateTests'>;
  background: BackgroundWork;
  openRuns: OpenRunCheck;
}

/** A trace that belongs to a test, and whether its root span has arrived. */
export interface Candidate {
  testId: string;
  traceId: string;
  rootArrived: boolean;
}

/**
 * Which traces in a batch of spans belong to tests (a span carries the test id) and whether their root
 * span is in it; and the roots without a test id, whose test-carrying span may have come in an earlier batch.
 */
function candidates(spans: HostSpan[], attribute: string): { found: Candidate[]; otherRoots: string[] } {
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
  const otherRoots: string[] = [];
  for (const traceId of rootsWithoutTestId) {
    const known = byTrace.get(traceId);
    if (known) known.rootArrived = true;
    else otherRoots.push(traceId);
  }
  return { found: [...byTrace.values()], otherRoots };
}

/**
 * Links ingested traces to their tests: the link is written to Postgres first, then the test is queued
 * for evaluation, so a trace is never lost even when nothing evaluates it right away (the run's sweep
 * finds linked tests). When the link itself cannot be written (the database is away), it is tried again
 * for about half a minute. A second trace for a test is kept as a duplicate and one after the deadline as
 * late; neither changes a result.
 */
export async function linkSpans(deps: LinkDependencies, projectId: string, spans: HostSpan[]): Promise<void> {
  const { found, otherRoots } = candidates(spans, deps.config.testIdAttribute);
  if (found.length > 0) deps.openRuns.markOpen(projectId);
  try {
    await linkAll(deps, projectId, found);
  } catch (error) {
    // The host has stored these spans and will not offer them again. Linking is idempotent, so it is tried
    // again in the background through a database restart's worth of seconds; the caller still hears of it.
    deps.background.start(`linking ${found.length} trace(s) of project ${projectId} failed; their tests will time out`, (stopping) =>
      relink(deps, projectId, found, stopping),
    );
    throw error;
  }
  // Most roots without a test id belong to ordinary traces; looking them up must not slow every ingestion
  // down: only while the project has a run in progress, and not waited for. If it fails or the process dies
  // first, the run's sweep attaches the root (attachArrivedRoots), reading the trace from the host.
  if (otherRoots.length > 0) {
    deps.background.start("looking up root spans failed; the run's sweep attaches them", async () => {
      if (await deps.openRuns.hasOpenRun(projectId)) await linkLaterRoots(deps, projectId, otherRoots);
    });
  }
}

// About half a minute in all: longer than a database restart or fail-over usually takes.
const relinkDelaysMs = [500, 1_000, 2_000, 4_000, 8_000, 15_000];

/** Links again after a failed attempt, backing off; stops early (and gives up) when the plugin closes. */
async function relink(deps: LinkDependencies, projectId: string, found: Candidate[], stopping: AbortSignal) {
  let failure: unknown;
  for (const delayMs of relinkDelaysMs) {
    await sleep(delayMs, undefined, { signal: stopping });
    try {
      return await linkAll(deps, projectId, found);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** Root spans that came in a later batch than the span carrying their test id. */
async function linkLaterRoots(deps: LinkDependencies, projectId: string, rootTraceIds: string[]) {
  const links = await deps.db
    .selectFrom('trace_links')
    .select(['test_id', 'trace_id'])
    .where('project_id', '=', projectId)
    .where('trace_id', 'in', rootTraceIds)
    .execute();
  await linkAll(deps, projectId, links.map((link) => ({ testId: link.test_id, traceId: link.trace_id, rootArrived: true })));
}

/** Links each candidate (see linkOne) and queues the tests it attached for evaluation. */
export async function linkAll(deps: Pick<LinkDependencies, 'db' | 'evaluationQueue'>, projectId: string, found: Candidate[]) {
  const arrivals: RunArrival[] = [];
  try {
    for (const candidate of found) {
      const arrival = await linkOne(deps.db, projectId, candidate);
      if (arrival) arrivals.push(arrival);
    }
  } finally {
    // Not awaited: the links are stored, and evaluating them must not hold up the host's ingestion. Also when a
    // later link failed: these are attached now, and a second attempt would not hand them over again.
    if (arrivals.length > 0) deps.evaluationQueue.evaluateTests(arrivals);
  }
}

/**
 * Records one trace's link and, when it is the test's first trace and its root span is here, attaches
 * it to the test, all in one statement: the test row is locked, the link kind decided (linked,
 * duplicate, late), the link upserted and the test moved to evaluating.
 */
async function linkOne(db: Db, projectId: string, candidate: Candidate) {
  const { testId, traceId, rootArrived } = candidate;
  const lockedSubject = selectEvaluationSubjects(db)
    .select([sql<boolean>`coalesce(tests.deadline_at < now(), false)`.as('past_deadline'), 'runs.id as run_id', 'runs.retries'])
    .where('tests.test_id', '=', testId)
    .where('experiments.project_id', '=', projectId)
    .forUpdate('tests');
  const result = await sql<Omit<EvaluationSubject, 'status' | 'trace_id'> & { run_id: string; retries: number; attached: number }>`
    with test as (${lockedSubject}),
    earlier_attempt as (
      select 1 from test_attempts join tests on tests.id = test_attempts.test_row_id join runs on runs.id = tests.run_id
      join experiments on experiments.id = runs.experiment_id
      where test_attempts.test_id = ${testId} and experiments.project_id = ${projectId} limit 1),
    decided as (
      select case
        when test.trace_id is not null and test.trace_id <> ${traceId} then 'duplicate'
        when test.trace_id is null and (test.status not in (${sql.join([...traceWaitingTestStatuses])}) or test.past_deadline) then 'late'
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
    select test.id, test.attempt, test.run_id, test.retries, test.config, ${projectId}::text as project_id, test.default_evaluations, test.snapshot, test.model_prices,
      (select count(*) from attached)::int as attached, (select count(*) from link)::int as links from test`.execute(db);
  const row = result.rows[0];
  if (!row || row.attached !== 1) return null;
  // What the evaluation needs, as this statement left the test: evaluating, with this trace.
  const subject: EvaluationSubject = {
    id: row.id, status: 'evaluating', attempt: row.attempt, trace_id: traceId, config: row.config,
    project_id: projectId, default_evaluations: row.default_evaluations, snapshot: row.snapshot, model_prices: row.model_prices,
  };
  return { runId: row.run_id, workflowId: runWorkflowId(row.run_id, row.retries), testId, traceId, subject };
}
