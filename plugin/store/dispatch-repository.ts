import { CompiledQuery } from 'kysely';
import { openTestStatuses } from '../domain/experiment-status.js';
import type { Db } from './connect.js';

export interface TaskSnapshot {
  id: string;
  title: string;
  prompt: string;
  metadata?: Record<string, unknown>;
  expected?: string;
  evaluations?: Array<Record<string, unknown>>;
}

/** A test claimed for delivery, with everything its webhook carries (DESIGN §6). */
export interface ClaimedDelivery {
  testRowId: string;
  testId: string;
  projectId: string;
  body: {
    testId: string;
    prompt: string;
    metadata: Record<string, unknown>;
    task: { id: string; title: string };
    experiment: { id: string; variantId: string; runId: string; repeat: number; overrides: unknown };
  };
}

/** What became of one claimed test's delivery, to be written to its row (guarded by row id and test id). */
export type DeliveryOutcome =
  | { testRowId: string; testId: string; accepted: true; httpStatus: number; traceTimeoutSeconds: number }
  | { testRowId: string; testId: string; accepted: false; error: string; httpStatus?: number };

/** How a form of the statement below names its outcomes' rows (as one id or an array) and its claim's limit. */
interface StatementForm {
  isOutcome: string;
  notOutcome: string;
  limit: string;
}
const anyForm: StatementForm = { isOutcome: '= any($4::uuid[])', notOutcome: '<> all($4::uuid[])', limit: '$3' };
const oneForm: StatementForm = { isOutcome: '= $3::uuid', notOutcome: 'is distinct from $3::uuid', limit: '1' };

/**
 * One statement for the delivery lanes' writes: the outcomes they have to record and the next `limit` tests they
 * claim. At 100 tests a second each statement cost the worker about as much CPU as the test's webhook (mostly the
 * socket write that wakes Postgres), so lanes share them. Constant text run as a prepared statement: Kysely
 * compiling it on every call was 4% of the worker's CPU.
 *
 * Outcomes: an accepted test waits for its trace (a test already past that keeps its status) with its deadline set
 * once, so a redelivery after a crash keeps the first; an errored result is written once, to a test still open.
 * Claims: the run's next pending tests, in order (`pending` → `dispatched`), with their webhook bodies. They are
 * picked once, in a materialized CTE: as `tests.id in (subquery)` Postgres may run the subquery again for each row
 * it joins, and with SKIP LOCKED every run picks other tests, so more than `limit` were claimed. SKIP LOCKED lets
 * several deliveries claim at once without waiting on each other; a row written by this statement is never picked.
 * The pick reads the run's pending tests in position order and stops at the limit: leaving the outcomes' rows out
 * with `not exists` made Postgres read every pending test of the run into an anti-join and sort them (at 1,000 tests
 * half of each claim's time, and growing with the run). A picked row is locked and pending, so the update finds it by
 * its primary key alone (with the status in its condition, Postgres went through the pending tests' index again).
 * The outcomes' rows are also found by their ids as a parameter: joined only to the outcomes, whose count a prepared
 * statement's generic plan guesses at 100, Postgres would rather read the whole tests table than its primary key.
 * They are locked first, in id order (`locked`), as linking and result writes lock tests: updated in whatever order the
 * join gave, a batch of outcomes and a batch of links could each hold a row the other wanted, and Postgres broke
 * that deadlock only after its deadlock_timeout, a second in which both sides' work stood still (seen at 250 tests/s).
 *
 * Two forms of the text: a lane's usual turn writes one outcome and claims one test, and that has a form whose text
 * says so (one id, `limit 1`), so that the plan Postgres keeps for it is the one it would make for those values. With
 * an id array and a limit as parameters, the kept plan's guesses (ten ids, a tenth of the run's pending tests) cost
 * more than a plan for the given values once the table's statistics are gathered, and Postgres planned the statement
 * again at every call: 1.3 ms of its CPU a test, twice what running it cost.
 */
const outcomesAndClaimsText = (form: StatementForm) => `
with outcome as (
  select * from jsonb_to_recordset($2::text::jsonb) as o(id uuid, test_id uuid, accepted boolean, http_status integer, timeout_seconds integer, error text)
), locked as materialized (
  select id from tests where id ${form.isOutcome} order by id for update
), accepted as (
  update tests set
    status = case when tests.status in ('pending', 'dispatched') then 'awaiting_trace' else tests.status end,
    dispatched_at = coalesce(tests.dispatched_at, now()),
    deadline_at = coalesce(tests.deadline_at, now() + make_interval(secs => outcome.timeout_seconds)),
    http_status = outcome.http_status
  from outcome, locked
  where tests.id ${form.isOutcome} and tests.id = locked.id and outcome.accepted and tests.id = outcome.id and tests.test_id = outcome.test_id
  returning tests.id
), errored as (
  update tests set status = 'errored', error = left(outcome.error, 1000), http_status = outcome.http_status, finished_at = now()
  from outcome, locked
  where tests.id ${form.isOutcome} and tests.id = locked.id and not outcome.accepted and tests.id = outcome.id and tests.test_id = outcome.test_id
    and tests.status in (${openTestStatuses.map((status) => `'${status}'`).join(', ')})
  returning tests.id
), picked as materialized (
  select id from tests
  where run_id = $1 and status = 'pending' and id ${form.notOutcome}
  order by position limit ${form.limit} for update skip locked
), claimed as (
  update tests set status = 'dispatched'
  from picked, runs, experiments, experiment_tasks
  where tests.id = picked.id and runs.id = tests.run_id and experiments.id = runs.experiment_id
    and experiment_tasks.experiment_id = runs.experiment_id and experiment_tasks.task_id = tests.task_id
  returning tests.id, tests.test_id, tests.position, tests.repeat, tests.task_id, runs.variant_id, runs.config,
    experiments.id as experiment_id, experiments.project_id, experiment_tasks.snapshot
)
select true as claimed, * from claimed
union all select false, id, null, null, null, null, null, null, null, null, null from accepted
union all select false, id, null, null, null, null, null, null, null, null, null from errored`;

const outcomesAndClaims = outcomesAndClaimsText(anyForm);
const oneOutcomeAndClaim = outcomesAndClaimsText(oneForm);

interface OutcomeOrClaimRow {
  claimed: boolean;
  id: string;
  test_id: string;
  position: number;
  repeat: number;
  task_id: string;
  variant_id: string;
  config: unknown;
  experiment_id: string;
  project_id: string;
  snapshot: unknown;
}

/**
 * Writes `outcomes` and claims up to `limit` of the run's next pending tests, in one statement. `written[i]` says
 * whether outcome i changed its row (false: no such test, or an errored result for a test no longer open); fewer
 * than `limit` claimed means no more are pending now.
 */
export async function recordOutcomesAndClaim(
  db: Db,
  runId: string,
  outcomes: readonly DeliveryOutcome[],
  limit: number,
): Promise<{ written: boolean[]; claimed: ClaimedDelivery[] }> {
  const records = outcomes.map((outcome) =>
    outcome.accepted
      ? { id: outcome.testRowId, test_id: outcome.testId, accepted: true, http_status: outcome.httpStatus, timeout_seconds: outcome.traceTimeoutSeconds }
      : { id: outcome.testRowId, test_id: outcome.testId, accepted: false, http_status: outcome.httpStatus ?? null, error: outcome.error },
  );
  const json = JSON.stringify(records);
  const query =
    records.length <= 1 && limit === 1
      ? CompiledQuery.raw(oneOutcomeAndClaim, [runId, json, records[0]?.id ?? null])
      : CompiledQuery.raw(outcomesAndClaims, [runId, json, limit, records.map((record) => record.id)]);
  const { rows } = await db.executeQuery<OutcomeOrClaimRow>(query);
  const writtenIds = new Set(rows.filter((row) => !row.claimed).map((row) => row.id));
  const claimed = rows
    .filter((row) => row.claimed)
    .sort((a, b) => a.position - b.position)
    .map((row) => ({ testRowId: row.id, testId: row.test_id, projectId: row.project_id, body: webhookBody(runId, row) }));
  return { written: outcomes.map((outcome) => writtenIds.has(outcome.testRowId)), claimed };
}

/** Claims up to `limit` of the run's next pending tests for delivery (see `recordOutcomesAndClaim`). */
export async function claimNextDeliveries(db: Db, runId: string, limit: number): Promise<ClaimedDelivery[]> {
  return (await recordOutcomesAndClaim(db, runId, [], limit)).claimed;
}

/** The body of a test's webhook, from its task's snapshot and its run's configuration: one definition for sending and showing. */
function webhookBody(
  runId: string,
  row: { test_id: string; task_id: string; repeat: number; variant_id: string; experiment_id: string; config: unknown; snapshot: unknown },
): ClaimedDelivery['body'] {
  const task = (row.snapshot ?? { id: row.task_id, title: row.task_id, prompt: '' }) as TaskSnapshot;
  return {
    testId: row.test_id,
    prompt: task.prompt,
    metadata: task.metadata ?? {},
    task: { id: task.id, title: task.title },
    experiment: { id: row.experiment_id, variantId: row.variant_id, runId, repeat: row.repeat, overrides: row.config },
  };
}

/** The webhook bodies of some tests of a run as they were sent (their current attempt's test id), by position. */
export async function webhookBodiesAt(db: Db, runId: string, positions: readonly number[]): Promise<Map<number, ClaimedDelivery['body']>> {
  if (positions.length === 0) return new Map();
  const rows = await db
    .selectFrom('tests')
    .innerJoin('runs', 'runs.id', 'tests.run_id')
    .innerJoin('experiment_tasks', (join) => join.onRef('experiment_tasks.experiment_id', '=', 'runs.experiment_id').onRef('experiment_tasks.task_id', '=', 'tests.task_id'))
    .select(['tests.position', 'tests.test_id', 'tests.repeat', 'tests.task_id', 'runs.variant_id', 'runs.config', 'runs.experiment_id', 'experiment_tasks.snapshot'])
    .where('tests.run_id', '=', runId)
    .where('tests.position', 'in', [...positions])
    .execute();
  return new Map(rows.map((row) => [row.position, webhookBody(runId, row)]));
}
