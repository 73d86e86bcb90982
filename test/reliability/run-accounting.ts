import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';

// The plugin's own guards (status-guarded updates, unique keys) are what is under test, so the evidence
// must not come from them. A trigger records every change of a test's status (and of its finish time)
// as it happens; the recount below reads only raw rows: that log, the evaluation results, the trace
// links and the deadlines, in SQL of its own, never through the plugin's repositories.

const open = `('pending', 'dispatched', 'awaiting_trace', 'evaluating')`;
const final = `('passed', 'failed', 'errored', 'timed_out')`;

/** Records every status change of `experiments.tests` in `reliability_audit.test_writes`. */
export async function installTestAudit(db: Kysely<any>) {
  await sql`create schema if not exists reliability_audit`.execute(db);
  await sql`
    create table if not exists reliability_audit.test_writes (
      id bigserial primary key,
      test_row_id uuid not null,
      run_id uuid not null,
      from_status text not null,
      to_status text not null,
      at timestamptz not null default clock_timestamp())`.execute(db);
  await sql`
    create or replace function reliability_audit.record_test_write() returns trigger language plpgsql as $$
    begin
      insert into reliability_audit.test_writes (test_row_id, run_id, from_status, to_status) values (new.id, new.run_id, old.status, new.status);
      return null;
    end $$`.execute(db);
  // A result written twice with the same status shows as a second change of finished_at.
  await sql`
    create or replace trigger reliability_audit_test_writes after update on experiments.tests for each row
    when (old.status is distinct from new.status or old.finished_at is distinct from new.finished_at)
    execute function reliability_audit.record_test_write()`.execute(db);
}

export interface Recount {
  tests: number;
  /** Distinct task × repeat pairs: a test row created twice would show here. */
  distinctTests: number;
  open: number;
  /** Plain counts of the status column. */
  byStatus: { passed: number; failed: number; errored: number; timedOut: number };
  /**
   * The same four, derived from the evidence instead of the status column: evaluation results decide
   * passed / failed / errored; a test with no results timed out if it was accepted (has a deadline)
   * and has no trace, else its delivery failed.
   */
  byEvidence: { passed: number; failed: number; errored: number; timedOut: number };
  /** Tests whose status disagrees with their evidence. */
  statusMismatches: number;
  /** Tests with more than one result for a (attempt, round, position), a gap in positions, or a result of another round. */
  badResults: number;
  /** Tests whose final result was written other than exactly once, per the trigger's log. */
  finalWritesNotOnce: number;
  /** Writes to a test after its final result (status or finish time changed again). */
  rewrites: number;
  /** Tests with a trace whose `linked` links are not exactly one, pointing at that trace. */
  notOneLink: number;
  /** Tests without a trace that nevertheless have a `linked` link. */
  linkedWithoutTrace: number;
  duplicateLinks: number;
  lateLinks: number;
  /** Transitions back to pending: deliveries released after a crash. */
  released: number;
}

/** Recounts a run from its raw rows (see the note at the top of this file). */
export async function recountRun(db: Kysely<any>, runId: string): Promise<Recount> {
  const { rows } = await sql<Record<string, number>>`
    with run_tests as (
      select id, test_id, task_id, repeat, status, trace_id, deadline_at from experiments.tests where run_id = ${runId}),
    results as (
      select e.test_row_id, count(*) as n, count(distinct (e.attempt, e.round, e.position)) as keys, max(e.position) as last_position,
             bool_and(e.outcome = 'passed') as all_passed, bool_or(e.outcome = 'errored') as any_errored,
             bool_or(e.attempt <> 1 or e.round <> 1) as other_round
      from experiments.evaluation_results e join run_tests t on t.id = e.test_row_id group by e.test_row_id),
    links as (
      select t.id as test_row_id,
             count(*) filter (where l.kind = 'linked') as linked,
             count(*) filter (where l.kind = 'linked' and l.trace_id = t.trace_id) as linked_here,
             count(*) filter (where l.kind = 'duplicate') as duplicates,
             count(*) filter (where l.kind = 'late') as late
      from run_tests t join experiments.trace_links l on l.test_id = t.test_id group by t.id),
    writes as (
      select w.test_row_id,
             count(*) filter (where w.from_status in ${sql.raw(open)} and w.to_status in ${sql.raw(final)}) as final_writes,
             count(*) filter (where w.from_status in ${sql.raw(final)}) as rewrites,
             count(*) filter (where w.to_status = 'pending') as released
      from reliability_audit.test_writes w join run_tests t on t.id = w.test_row_id group by w.test_row_id),
    per_test as (
      select t.*, coalesce(r.n, 0) as results, r.keys, r.last_position, r.other_round,
             coalesce(k.linked, 0) as linked, coalesce(k.linked_here, 0) as linked_here,
             coalesce(k.duplicates, 0) as duplicates, coalesce(k.late, 0) as late,
             coalesce(w.final_writes, 0) as final_writes, coalesce(w.rewrites, 0) as rewrites, coalesce(w.released, 0) as released,
             case when r.n > 0 and r.any_errored then 'errored'
                  when r.n > 0 and r.all_passed then 'passed'
                  when r.n > 0 then 'failed'
                  when t.trace_id is null and t.deadline_at is not null then 'timed_out'
                  else 'errored' end as evidence
      from run_tests t left join results r on r.test_row_id = t.id left join links k on k.test_row_id = t.id
      left join writes w on w.test_row_id = t.id)
    select count(*)::int as tests,
           count(distinct (task_id, repeat))::int as distinct_tests,
           count(*) filter (where status in ${sql.raw(open)})::int as open,
           count(*) filter (where status = 'passed')::int as status_passed,
           count(*) filter (where status = 'failed')::int as status_failed,
           count(*) filter (where status = 'errored')::int as status_errored,
           count(*) filter (where status = 'timed_out')::int as status_timed_out,
           count(*) filter (where evidence = 'passed')::int as evidence_passed,
           count(*) filter (where evidence = 'failed')::int as evidence_failed,
           count(*) filter (where evidence = 'errored')::int as evidence_errored,
           count(*) filter (where evidence = 'timed_out')::int as evidence_timed_out,
           count(*) filter (where evidence <> status)::int as status_mismatches,
           count(*) filter (where results > 0 and (results <> keys or last_position + 1 <> results or other_round))::int as bad_results,
           count(*) filter (where final_writes <> 1)::int as final_writes_not_once,
           coalesce(sum(rewrites), 0)::int as rewrites,
           count(*) filter (where trace_id is not null and (linked <> 1 or linked_here <> 1))::int as not_one_link,
           count(*) filter (where trace_id is null and linked > 0)::int as linked_without_trace,
           coalesce(sum(duplicates), 0)::int as duplicate_links,
           coalesce(sum(late), 0)::int as late_links,
           coalesce(sum(released), 0)::int as released
    from per_test`.execute(db);
  const r = rows[0]!;
  return {
    tests: r.tests!,
    distinctTests: r.distinct_tests!,
    open: r.open!,
    byStatus: { passed: r.status_passed!, failed: r.status_failed!, errored: r.status_errored!, timedOut: r.status_timed_out! },
    byEvidence: { passed: r.evidence_passed!, failed: r.evidence_failed!, errored: r.evidence_errored!, timedOut: r.evidence_timed_out! },
    statusMismatches: r.status_mismatches!,
    badResults: r.bad_results!,
    finalWritesNotOnce: r.final_writes_not_once!,
    rewrites: r.rewrites!,
    notOneLink: r.not_one_link!,
    linkedWithoutTrace: r.linked_without_trace!,
    duplicateLinks: r.duplicate_links!,
    lateLinks: r.late_links!,
    released: r.released!,
  };
}

/**
 * The run's promise, checked against the recount: every test final, its result written exactly once,
 * at most one result per evaluator, one `linked` trace per test that has a trace, and the API's
 * counts equal to the recount. Returns the recount for the test's own checks and its report.
 */
export async function expectExactAccounting(db: Kysely<any>, run: { runId: string; counts: Record<string, number> }, total: number) {
  const recount = await recountRun(db, run.runId);
  expect(recount, JSON.stringify(recount)).toMatchObject({
    tests: total,
    distinctTests: total,
    open: 0,
    statusMismatches: 0,
    badResults: 0,
    finalWritesNotOnce: 0,
    rewrites: 0,
    notOneLink: 0,
    linkedWithoutTrace: 0,
  });
  expect(recount.byEvidence).toEqual(recount.byStatus);
  // notRun: tests a run stopped before sending (a budget or an early verdict); none here unless the recount finds some.
  expect(run.counts).toEqual({ total, pending: 0, dispatched: 0, awaitingTrace: 0, evaluating: 0, notRun: 0, ...recount.byStatus });
  return recount;
}
