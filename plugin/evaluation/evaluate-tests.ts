import { sql } from 'kysely';
import type { ExperimentsConfig } from '../config.js';
import { evaluateAll, parseEvaluations, type EvaluationConfig, type EvaluationResult } from '../domain/evaluators/index.js';
import { projectPriceTable } from '../domain/model-prices.js';
import { extractTraceFacts, findOverrideMismatches, type OverrideMismatch } from '../domain/trace-facts.js';
import type { ExperimentsHost, HostTrace } from '../host.js';
import type { Db } from '../store/connect.js';
import type { TestStepTable } from '../store/database.js';
import type { TaskSnapshot } from '../store/dispatch-repository.js';
import { compiledOnce } from '../store/compiled-once.js';
import { findEvaluationSubject, type EvaluationSubject } from '../store/evaluation-subject.js';
import { openTestStatuses, reevaluableTestStatuses } from '../domain/experiment-status.js';
import { createJudge, type Judge } from './llm-judge-client.js';

export interface EvaluationDependencies {
  db: Db;
  host: ExperimentsHost;
  config: ExperimentsConfig;
  judge?: Judge;
  /** Called after each test, e.g. to heartbeat. */
  onProgress?: (done: number) => void;
}

const maxStoredOutput = 20_000;

type Sourced = { config: EvaluationConfig | { type: string }; source: 'task' | 'experiment'; invalid?: string };

function collect(list: unknown, source: 'task' | 'experiment'): Sourced[] {
  if (list === undefined || list === null) return [];
  try {
    return parseEvaluations(list).map((config) => ({ config, source }));
  } catch (error) {
    // A broken evaluation of the task cannot pass the test; it is stored as an errored result.
    return [{ config: { type: 'invalid' }, source, invalid: (error as Error).message }];
  }
}

/**
 * Evaluates tests whose trace arrived and writes each final result once: the results and the
 * status change share a transaction guarded by the test's open status and attempt.
 */
export async function evaluateTests(
  deps: EvaluationDependencies,
  runId: string,
  arrivals: Array<{ testId: string; traceId: string }>,
  /** Round 1 is the run's own evaluation; a later round re-evaluates finished tests from their stored traces. */
  round = 1,
): Promise<number> {
  const judge = deps.judge ?? createJudge(deps.config);
  let written = 0;
  let done = 0;
  let next = 0;
  // A few tests at a time: each waits mostly on Postgres, the host and perhaps a judge model.
  const lane = async () => {
    while (next < arrivals.length) {
      const arrival = arrivals[next++]!;
      if ((await evaluateTest(deps, judge, runId, arrival, round)).written) written += 1;
      deps.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(evaluationLanes, arrivals.length) }, lane));
  return written;
}

const evaluationLanes = 8;

/**
 * What became of one arrival: its result was written (and whether that left the run without open tests),
 * it was not open any more (another evaluation wrote it first), or it needs an LLM judge and the caller
 * asked to leave those to the run's workflow.
 */
export type ArrivalOutcome = { written: true; runSettled: boolean } | { written: false; why: 'not_open' | 'needs_judge' };
const notOpen: ArrivalOutcome = { written: false, why: 'not_open' };

/** Evaluates one test's trace and writes its result once; `judge: 'defer'` evaluates only judge-free tests. */
async function evaluateTest(
  deps: EvaluationDependencies,
  judge: Judge | 'defer',
  runId: string,
  /** `subject`, when the caller has read it already (linking a trace does), saves reading the test again. */
  arrival: { testId: string; traceId: string; subject?: EvaluationSubject },
  round: number,
): Promise<ArrivalOutcome> {
  const { db, host } = deps;
  const test = arrival.subject ?? (await findEvaluationSubject(db, runId, arrival.testId));
  if (!test || !expectedStatuses(round).includes(test.status) || (round > 1 && !test.trace_id)) return notOpen;
  const traceId = test.trace_id ?? arrival.traceId;
  if (round > 1) {
    // A retried re-evaluation must not judge twice: the first one's rows and status stand.
    const done = await db.selectFrom('evaluation_results').select('id').where('test_row_id', '=', test.id).where('attempt', '=', test.attempt).where('round', '=', round).executeTakeFirst();
    if (done) return notOpen;
  }
  const evaluations = evaluationsOf(test);
  if (judge === 'defer' && needsJudge(evaluations)) return { written: false, why: 'needs_judge' };
  const trace = await host.traces.get(test.project_id, traceId);
  const verdict = await decide(deps, judge, { runId, test, traceId, evaluations }, trace);
  return (await writeVerdicts(deps.db, [verdict], round))[0]!;
}

/**
 * Evaluates arrived traces of judge-free tests together, as linking hands them over: their traces in one read
 * of the host (when it can read several at once) and their results in one statement, each test still written
 * once, guarded by its open status and attempt. A test that needs an LLM judge is left to its run's workflow.
 * The outcomes are in the order of the arrivals.
 */
export async function evaluateArrivals(
  deps: Pick<EvaluationDependencies, 'db' | 'host' | 'config'>,
  arrivals: ReadonlyArray<{ runId: string; traceId: string; subject: EvaluationSubject }>,
): Promise<ArrivalOutcome[]> {
  const outcomes: ArrivalOutcome[] = arrivals.map(() => notOpen);
  const due: Array<{ index: number; subject: Subject }> = [];
  const seen = new Set<string>();
  for (const [index, { runId, traceId, subject: test }] of arrivals.entries()) {
    // A test handed over twice is written by its first arrival: one statement may write a row only once.
    if (!openTestStatuses.includes(test.status as never) || seen.has(test.id)) continue;
    seen.add(test.id);
    const evaluations = evaluationsOf(test);
    if (needsJudge(evaluations)) outcomes[index] = { written: false, why: 'needs_judge' };
    else due.push({ index, subject: { runId, test, traceId: test.trace_id ?? traceId, evaluations } });
  }
  if (due.length === 0) return outcomes;
  const traces = await readTraces(deps.host, due.map((d) => d.subject));
  const verdicts = await Promise.all(due.map((d) => decide(deps, 'defer', d.subject, traces.get(traceKey(d.subject.test.project_id, d.subject.traceId)) ?? null)));
  const written = await writeVerdicts(deps.db, verdicts, 1);
  due.forEach((d, position) => (outcomes[d.index] = written[position]!));
  return outcomes;
}

/** The traces of these tests, in one call per project when the host reads several at once, else one call each. */
async function readTraces(host: ExperimentsHost, subjects: Subject[]): Promise<Map<string, HostTrace>> {
  const byProject = new Map<string, Set<string>>();
  for (const { test, traceId } of subjects) byProject.set(test.project_id, (byProject.get(test.project_id) ?? new Set()).add(traceId));
  const found = new Map<string, HostTrace>();
  await Promise.all(
    [...byProject].map(async ([projectId, ids]) => {
      const traces = host.traces.getMany
        ? await host.traces.getMany(projectId, [...ids])
        : await Promise.all([...ids].map((id) => host.traces.get(projectId, id)));
      for (const trace of traces) if (trace) found.set(traceKey(projectId, trace.traceId), trace);
    }),
  );
  return found;
}

const traceKey = (projectId: string, traceId: string) => `${projectId}/${traceId.toLowerCase()}`;

const expectedStatuses = (round: number): readonly string[] => (round === 1 ? openTestStatuses : reevaluableTestStatuses);

/** A test to evaluate: its row as read, the trace to evaluate it by and the evaluations its task and experiment ask for. */
interface Subject {
  runId: string;
  test: EvaluationSubject;
  traceId: string;
  evaluations: Sourced[];
}

function evaluationsOf(test: EvaluationSubject): Sourced[] {
  const task = (test.snapshot ?? {}) as Partial<TaskSnapshot>;
  return [...collect(task.evaluations, 'task'), ...collect(test.default_evaluations, 'experiment')];
}

const needsJudge = (evaluations: Sourced[]) => evaluations.some((e) => e.config.type === 'llm_judge');

type ResultRow = { evaluator: string; source: 'task' | 'experiment'; config: unknown; score: number | null; outcome: 'passed' | 'failed' | 'errored'; reason: string };

/** One test's result as its evaluation decided it, ready to write. */
interface Verdict {
  subject: Subject;
  status: 'passed' | 'failed' | 'errored';
  facts: ReturnType<typeof extractTraceFacts>;
  rows: ResultRow[];
  mismatches: OverrideMismatch[];
}

/** Evaluates one test by its trace (null: the host could not give it), asking the judge where the evaluations need it. */
async function decide(deps: Pick<EvaluationDependencies, 'config'>, judge: Judge | 'defer', subject: Subject, trace: HostTrace | null): Promise<Verdict> {
  const { test, traceId, evaluations } = subject;
  const task = (test.snapshot ?? {}) as Partial<TaskSnapshot>;
  const facts = extractTraceFacts(trace?.spans ?? [], projectPriceTable(deps.config.modelPrices, test.model_prices));
  const evaluationFacts = { output: facts.output, expected: task.expected ?? null, latencyMs: facts.latencyMs, totalTokens: facts.totalTokens };

  const rows: ResultRow[] = [];
  if (!trace) {
    rows.push({ evaluator: 'trace', source: 'experiment', config: {}, score: null, outcome: 'errored', reason: `trace ${traceId} could not be read from the host` });
  } else {
    const valid = evaluations.filter((e) => !e.invalid) as Array<Sourced & { config: EvaluationConfig }>;
    const judged = new Map<number, EvaluationResult>();
    const judgeErrors = new Map<number, string>();
    for (const [index, entry] of valid.entries()) {
      // (A deferring caller got here only for tests without a judge.)
      if (entry.config.type !== 'llm_judge' || facts.output === null || judge === 'defer') continue;
      const result = await judge(entry.config, { input: facts.input, output: facts.output, expected: task.expected ?? null });
      if ('errored' in result) {
        judgeErrors.set(index, result.reason);
        judged.set(index, { evaluator: 'llm_judge', score: null, passed: false, reason: result.reason });
      } else judged.set(index, result);
    }
    const outcome = evaluateAll(valid.map((e) => e.config), evaluationFacts, judged);
    outcome.results.forEach((result, index) => {
      const entry = valid[index]!;
      rows.push({
        evaluator: result.evaluator, source: entry.source, config: entry.config, score: result.score,
        outcome: judgeErrors.has(index) ? 'errored' : result.passed ? 'passed' : 'failed', reason: result.reason,
      });
    });
    for (const entry of evaluations.filter((e) => e.invalid)) {
      rows.push({ evaluator: 'invalid_evaluation', source: entry.source, config: {}, score: null, outcome: 'errored', reason: entry.invalid!.slice(0, 300) });
    }
  }
  const status = rows.some((r) => r.outcome === 'errored') ? 'errored' : evaluations.length > 0 && rows.every((r) => r.outcome === 'passed') ? 'passed' : 'failed';
  const mismatches = trace ? findOverrideMismatches(facts.steps, test.config as Record<string, Record<string, unknown>>) : [];
  return { subject, status, facts, rows, mismatches };
}

/**
 * Writes tests' results in one statement: each test's guarded status change (its open status, or for a later round
 * a finished one, and its attempt) with the evaluation_results and test_steps rows it is based on, so a test's
 * result lands whole or not at all and only once. The tests are locked in one order first, as linking locks them.
 * Returns, in the verdicts' order, whether each was written and whether its run then had no other open test.
 */
async function writeVerdicts(db: Db, verdicts: Verdict[], round: number): Promise<ArrivalOutcome[]> {
  const input = verdicts.map(({ subject: { test, traceId, evaluations }, status, facts, rows, mismatches }) => {
    const noEvaluations = evaluations.length === 0;
    return {
      id: test.id, attempt: test.attempt, status, trace_id: traceId,
      output: facts.output === null ? null : facts.output.slice(0, maxStoredOutput),
      latency_ms: facts.latencyMs, input_tokens: facts.inputTokens, output_tokens: facts.outputTokens, total_tokens: facts.totalTokens,
      cost: facts.cost, cost_note: facts.costNote?.slice(0, 1000) ?? null, no_evaluations: noEvaluations,
      override_mismatches: mismatches.length > 0 ? mismatches : null,
      error: status === 'errored' ? rows.find((r) => r.outcome === 'errored')?.reason ?? null : noEvaluations ? 'the task has no evaluations' : null,
      results: rows.map((row, position) => ({ position, ...row, config: row.config ?? {} })),
      steps: round === 1 ? stepFigures(facts.steps) : [],
    };
  });
  const written = await (round === 1 ? writeFirstRound : writeLaterRound)(db, { input: JSON.stringify(input), ids: input.map((row) => row.id), round });
  const byId = new Map(written.map((row) => [row.id, row.others_open]));
  return verdicts.map(({ subject }) => {
    const othersOpen = byId.get(subject.test.id);
    return othersOpen === undefined ? notOpen : { written: true, runSettled: !othersOpen };
  });
}

/**
 * Whether a written run has another open test: one probe per open status, each naming its status as a literal and
 * asking for the first such test in position order, which only the indexes holding that status give without reading
 * the run's other tests. As one `exists` for the four statuses, Postgres chose its path by statistics, and with those
 * of a run still mostly pending it read the whole table at every result once few tests were left open.
 */
const othersOpen = sql.join(
  openTestStatuses.map(
    (status) => sql`(select true from tests where tests.run_id = written_runs.run_id and tests.status = ${sql.lit(status)}
      and not exists (select 1 from updated where updated.id = tests.id) order by tests.position limit 1) is not null`,
  ),
  sql` or `,
);

/** The statement writeVerdicts runs: a test's first round also sets its finish time and writes its steps; a later round only re-grades. */
const writeStatement = (firstRound: boolean) =>
  compiledOnce(['input', 'ids', 'round'], ({ input, ids, round }) => sql<{ id: string; others_open: boolean }>`
    with input as (
      select * from jsonb_to_recordset(cast(cast(${input} as text) as jsonb)) as i(id uuid, attempt int, status text, trace_id text, output text,
        latency_ms float8, input_tokens int, output_tokens int, total_tokens int, cost float8, cost_note text, no_evaluations boolean,
        override_mismatches jsonb, error text, results jsonb, steps jsonb)),
    locked as materialized (
      select tests.id from tests join input on input.id = tests.id
      where tests.id = any(${ids}::uuid[]) and tests.attempt = input.attempt and tests.status in (${sql.join([...(firstRound ? openTestStatuses : reevaluableTestStatuses)])})
      order by tests.id for update of tests),
    updated as (
      update tests set status = input.status, trace_id = input.trace_id,
        finished_at = ${firstRound ? sql`now()` : sql`tests.finished_at`},
        output = input.output, latency_ms = input.latency_ms, input_tokens = input.input_tokens, output_tokens = input.output_tokens,
        total_tokens = input.total_tokens, cost = input.cost, cost_note = input.cost_note, no_evaluations = input.no_evaluations,
        override_mismatches = input.override_mismatches, error = input.error
      from input join locked on locked.id = input.id
      where tests.id = input.id and tests.attempt = input.attempt
        and tests.status in (${sql.join([...(firstRound ? openTestStatuses : reevaluableTestStatuses)])})
      returning tests.id, tests.run_id),
    inserted as (
      insert into evaluation_results (test_row_id, attempt, round, position, evaluator, source, config, score, outcome, reason)
      select updated.id, input.attempt, ${round}::int, r.position, r.evaluator, r.source, r.config, r.score, r.outcome, r.reason
      from updated join input on input.id = updated.id
      cross join jsonb_to_recordset(input.results) as r(position int, evaluator text, source text, config jsonb, score float8, outcome text, reason text)
      on conflict (test_row_id, attempt, round, position) do nothing),
    steps as (
      insert into test_steps (test_row_id, attempt, step, latency_ms, input_tokens, output_tokens, total_tokens, cost, cost_note)
      select updated.id, input.attempt, s.step, s.latency_ms, s.input_tokens, s.output_tokens, s.total_tokens, s.cost, s.cost_note
      from updated join input on input.id = updated.id
      cross join jsonb_to_recordset(input.steps)
        as s(step text, latency_ms float8, input_tokens int, output_tokens int, total_tokens int, cost float8, cost_note text)
      on conflict (test_row_id, attempt, step) do nothing),
    -- Whether each run has an open test besides those written here (which this statement still sees open).
    runs_open as (
      select run_id, ${othersOpen} as others_open
      from (select distinct run_id from updated) as written_runs)
    select updated.id, runs_open.others_open from updated join runs_open on runs_open.run_id = updated.run_id`);
const writeFirstRound = writeStatement(true);
const writeLaterRound = writeStatement(false);

/** A test_steps row as this test's evaluation writes it (the row's keys and timestamp are added on insert). */
type StepFigures = Omit<TestStepTable, 'test_row_id' | 'attempt' | 'created_at'>;

/**
 * One row per step name: a step that ran several times (retries, loops) adds up; one run of it whose cost is
 * unknown makes the step's cost unknown, with the reasons.
 */
function stepFigures(steps: ReturnType<typeof extractTraceFacts>['steps']): StepFigures[] {
  const byStep = new Map<string, StepFigures>();
  const add = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : a + b);
  for (const step of steps) {
    const seen = byStep.get(step.step);
    const notes = [...new Set([seen?.cost_note, step.costNote].filter((note): note is string => !!note))];
    byStep.set(step.step, {
      step: step.step,
      latency_ms: add(seen?.latency_ms ?? null, step.latencyMs),
      input_tokens: add(seen?.input_tokens ?? null, step.inputTokens),
      output_tokens: add(seen?.output_tokens ?? null, step.outputTokens),
      total_tokens: add(seen?.total_tokens ?? null, step.totalTokens),
      cost: notes.length > 0 ? null : add(seen?.cost ?? null, step.cost),
      cost_note: notes.length > 0 ? notes.join('; ').slice(0, 1000) : null,
    });
  }
  return [...byStep.values()];
}

export type { EvaluationSubject };
