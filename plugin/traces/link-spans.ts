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
import { compiledOnce } from '../store/compiled-once.js';
import type { BackgroundWork } from './background-work.js';
import type { OpenRunCheck } from './open-run-check.js';
import { pacedBatches, type PacedBatches } from './paced-batches.js';

export interface LinkDependencies {
  db: Db;
  config: ExperimentsConfig;
  /** Takes the tests whose trace is now attached. */
  evaluationQueue: Pick<EvaluationQueue, 'evaluateTests'>;
  background: BackgroundWork;
  openRuns: OpenRunCheck;
  /** Links traces a project's ingestion hands over, a paced batch at a time (see `linkBatches`). */
  links: PacedBatches<Candidate>;
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
    if (found.length > 0) await deps.links.add(projectId, found);
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

/** Links every candidate in one statement (see linkMany) and queues the tests it attached for evaluation. */
export async function linkAll(deps: Pick<LinkDependencies, 'db' | 'evaluationQueue'>, projectId: string, found: Candidate[]) {
  if (found.length === 0) return;
  let arrivals: RunArrival[];
  try {
    arrivals = await linkMany(deps.db, projectId, found);
  } catch (error) {
    // The test rows are locked in one order, so two links cannot deadlock each other; a bulk update of a run's
    // tests (stopping it) may still meet one, and Postgres then aborts one side: trying again at once succeeds.
    if ((error as { code?: string }).code !== deadlockDetected) throw error;
    arrivals = await linkMany(deps.db, projectId, found);
  }
  // Not awaited: the links are stored, and evaluating them must not hold up the host's ingestion.
  if (arrivals.length > 0) deps.evaluationQueue.evaluateTests(arrivals);
}

const deadlockDetected = '40P01';

/**
 * Records the links of a batch of traces and attaches each test's first trace whose root span is here, all in one
 * statement, deciding as if the candidates were linked one after another in order: the tests are locked (in one
 * order), each link's kind decided (linked; duplicate when the test has, or an earlier candidate gives it, another
 * trace; late when the test is no longer waiting, is past its deadline or belongs to an earlier attempt), the links
 * upserted and the attached tests moved to evaluating. Returns the attached tests, ready to evaluate.
 */
async function linkMany(db: Db, projectId: string, found: Candidate[]): Promise<RunArrival[]> {
  // One candidate per test and trace (the upsert may touch a row once), in the order given.
  const unique = [...new Map(found.map((c) => [`${c.testId}/${c.traceId}`, c])).values()];
  const input = unique.map((c, ord) => ({ ord, test_id: c.testId, trace_id: c.traceId, root_arrived: c.rootArrived }));
  const testIds = [...new Set(input.map((c) => c.test_id))];
  const values = { input: JSON.stringify(input), projectId };
  const rows = testIds.length === 1 ? await linkOneTest(db, { ...values, testIds: testIds[0] }) : await linkTests(db, { ...values, testIds });
  // What the evaluation needs, as this statement left each attached test: evaluating, with its trace.
  return rows.map((row) => ({
    runId: row.run_id, workflowId: runWorkflowId(row.run_id, row.retries), testId: row.test_id, traceId: row.attached_trace,
    subject: {
      id: row.id, status: 'evaluating', attempt: row.attempt, trace_id: row.attached_trace, config: row.config,
      project_id: projectId, default_evaluations: row.default_evaluations, snapshot: row.snapshot, model_prices: row.model_prices,
    },
  }));
}

const waiting = sql.join([...traceWaitingTestStatuses]);
// The tests, and earlier attempts' ids, are found by their ids as parameters rather than by joining the input: a
// prepared statement's generic plan guesses 100 input rows, and with that Postgres would rather scan the tests table
// than use its index. The tests are looked up first, apart (`wanted`, materialized), and an earlier attempt's project
// is a scalar subquery, which Postgres cannot turn into a join: as joins, both began from the project's runs and read
// every one of their tests.
//
// A batch of one test (the usual case when traces come one at a time) has a statement of its own, which names the test
// id alone: its prepared plan then estimates one test, as a plan for the given id would, and Postgres keeps it. With the
// array, Postgres guesses ten ids for the kept plan, finds that dearer than planning for the given ones, and planned the
// statement at every call: 1.2 ms of Postgres CPU a test, twice what running it cost.
const linkStatement = (oneTest: boolean) => compiledOnce(['input', 'testIds', 'projectId'], ({ input, testIds, projectId }, db) => {
  const isWanted = oneTest ? sql`= ${testIds}::uuid` : sql`= any(${testIds}::uuid[])`;
  const lockedSubjects = selectEvaluationSubjects(db)
    .select([sql<boolean>`coalesce(tests.deadline_at < now(), false)`.as('past_deadline'), 'tests.test_id', 'runs.id as run_id', 'runs.retries'])
    .where('tests.id', 'in', sql<string>`(select id from wanted)`)
    .where('experiments.project_id', '=', sql<string>`${projectId}`)
    .orderBy('tests.id')
    .forUpdate('tests');
  return sql<Omit<EvaluationSubject, 'status' | 'trace_id'> & { test_id: string; run_id: string; retries: number; attached_trace: string }>`
    with input as (
      select * from jsonb_to_recordset(cast(cast(${input} as text) as jsonb)) as i(ord int, test_id uuid, trace_id text, root_arrived boolean)),
    wanted as materialized (select id from tests where test_id ${isWanted}),
    test as (${lockedSubjects}),
    earlier_attempt as (
      select distinct test_attempts.test_id from test_attempts
      where test_attempts.test_id ${isWanted} and not exists (select 1 from test where test.test_id = test_attempts.test_id)
        and (select experiments.project_id from tests join runs on runs.id = tests.run_id join experiments on experiments.id = runs.experiment_id
          where tests.id = test_attempts.test_row_id) = ${projectId}),
    attach as (
      select distinct on (input.test_id) input.test_id, input.trace_id, input.ord
      from input join test on test.test_id = input.test_id
      where input.root_arrived and test.trace_id is null and test.status in (${waiting}) and not test.past_deadline
      order by input.test_id, input.ord),
    decided as (
      select input.test_id, input.trace_id, input.root_arrived, case
        when test.trace_id is not null and test.trace_id <> input.trace_id then 'duplicate'
        when test.trace_id is null and (test.status not in (${waiting}) or test.past_deadline) then 'late'
        when attach.ord < input.ord then 'duplicate'
        else 'linked' end as kind
      from input join test on test.test_id = input.test_id left join attach on attach.test_id = input.test_id
      union all
      select input.test_id, input.trace_id, input.root_arrived, 'late' from input join earlier_attempt on earlier_attempt.test_id = input.test_id),
    link as (
      insert into trace_links (test_id, trace_id, project_id, kind, root_span_at)
      select decided.test_id, decided.trace_id, ${projectId}, decided.kind, case when decided.root_arrived then now() end from decided
      on conflict (test_id, trace_id) do update set root_span_at = coalesce(trace_links.root_span_at, excluded.root_span_at)),
    attached as (
      update tests set trace_id = attach.trace_id, trace_arrived_at = now(), status = 'evaluating'
      from test join attach on attach.test_id = test.test_id
      where tests.id = test.id
      returning tests.id, attach.trace_id)
    select test.id, test.test_id, test.attempt, test.run_id, test.retries, test.config, test.default_evaluations, test.snapshot, test.model_prices,
      attached.trace_id as attached_trace
    from test join attached on attached.id = test.id`;
});
const linkOneTest = linkStatement(true);
const linkTests = linkStatement(false);

/**
 * Ingestion's links, one statement a project at most every 50 ms. At 100 traces a second they came one to a statement,
 * and each statement costs Postgres and this process a round trip and a commit whatever it carries; paced, a
 * statement carries the traces of its interval, and their evaluation (trace read, result write) is batched with them.
 * A trace after a quiet spell is linked at once. Under load a result waits up to 50 ms more, which no run's progress
 * feels; measured at 100 traces a second, CPU per test fell by a fifth against a 20 ms pace, the wait from a root
 * span's end to its result rose from about 25 to about 65 ms (p50).
 */
export function linkBatches(deps: Pick<LinkDependencies, 'db' | 'evaluationQueue'>): PacedBatches<Candidate> {
  return pacedBatches((projectId, found) => linkAll(deps, projectId, found), 50);
}
