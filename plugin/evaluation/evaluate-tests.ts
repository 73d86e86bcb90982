import { sql } from 'kysely';
import type { ExperimentsConfig } from '../config.js';
import { evaluateAll, parseEvaluations, type EvaluationConfig, type EvaluationResult } from '../domain/evaluators/index.js';
import { projectPriceTable } from '../domain/model-prices.js';
import { extractTraceFacts, findOverrideMismatches } from '../domain/trace-facts.js';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import type { TestStepTable } from '../store/database.js';
import type { TaskSnapshot } from '../store/dispatch-repository.js';
import { jsonb } from '../store/jsonb.js';
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
export async function evaluateTest(
  deps: EvaluationDependencies,
  judge: Judge | 'defer',
  runId: string,
  /** `subject`, when the caller has read it already (linking a trace does), saves reading the test again. */
  arrival: { testId: string; traceId: string; subject?: EvaluationSubject },
  round: number,
): Promise<ArrivalOutcome> {
  const { db, host } = deps;
  const test = arrival.subject ?? (await findEvaluationSubject(db, runId, arrival.testId));
  const expected: readonly string[] = round === 1 ? openTestStatuses : reevaluableTestStatuses;
  if (!test || !expected.includes(test.status) || (round > 1 && !test.trace_id)) return notOpen;
  const traceId = test.trace_id ?? arrival.traceId;
  if (round > 1) {
    // A retried re-evaluation must not judge twice: the first one's rows and status stand.
    const done = await db.selectFrom('evaluation_results').select('id').where('test_row_id', '=', test.id).where('attempt', '=', test.attempt).where('round', '=', round).executeTakeFirst();
    if (done) return notOpen;
  }

  const task = (test.snapshot ?? {}) as Partial<TaskSnapshot>;
  const evaluations = [...collect(task.evaluations, 'task'), ...collect(test.default_evaluations, 'experiment')];
  if (judge === 'defer' && evaluations.some((e) => e.config.type === 'llm_judge')) return { written: false, why: 'needs_judge' };
  const trace = await host.traces.get(test.project_id, traceId);
  const facts = extractTraceFacts(trace?.spans ?? [], projectPriceTable(deps.config.modelPrices, test.model_prices));
  const evaluationFacts = { output: facts.output, expected: task.expected ?? null, latencyMs: facts.latencyMs, totalTokens: facts.totalTokens };

  const rows: Array<{ evaluator: string; source: 'task' | 'experiment'; config: unknown; score: number | null; outcome: 'passed' | 'failed' | 'errored'; reason: string }> = [];
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

  const noEvaluations = evaluations.length === 0;
  const status = rows.some((r) => r.outcome === 'errored') ? 'errored' : !noEvaluations && rows.every((r) => r.outcome === 'passed') ? 'passed' : 'failed';
  const mismatches = trace ? findOverrideMismatches(facts.steps, test.config as Record<string, Record<string, unknown>>) : [];

  // One statement: the guarded status change and the results it is based on land together or not at all.
  const update = db
    .updateTable('tests')
    .set({
      status,
      trace_id: traceId,
      ...(round === 1 ? { finished_at: sql<Date>`now()` } : {}),
      output: facts.output === null ? null : facts.output.slice(0, maxStoredOutput),
      latency_ms: facts.latencyMs,
      input_tokens: facts.inputTokens,
      output_tokens: facts.outputTokens,
      total_tokens: facts.totalTokens,
      cost: facts.cost,
      cost_note: facts.costNote?.slice(0, 1000) ?? null,
      no_evaluations: noEvaluations,
      override_mismatches: mismatches.length > 0 ? jsonb(mismatches) : null,
      error: status === 'errored' ? rows.find((r) => r.outcome === 'errored')?.reason ?? null : noEvaluations ? 'the task has no evaluations' : null,
    })
    .where('id', '=', test.id)
    .where('attempt', '=', test.attempt)
    .where('status', 'in', [...expected])
    .returning('id');
  const results = rows.map((row, position) => ({ position, ...row, config: row.config ?? {} }));
  const written = await sql<{ updated: number; others_open: boolean }>`
    with updated as (${update}),
    inserted as (
      insert into evaluation_results (test_row_id, attempt, round, position, evaluator, source, config, score, outcome, reason)
      select updated.id, ${test.attempt}, ${round}, r.position, r.evaluator, r.source, r.config, r.score, r.outcome, r.reason
      from updated cross join jsonb_to_recordset(${jsonb(results)}) as r(position int, evaluator text, source text, config jsonb, score float8, outcome text, reason text)
      on conflict (test_row_id, attempt, round, position) do nothing
      returning 1),
    steps as (
      insert into test_steps (test_row_id, attempt, step, latency_ms, input_tokens, output_tokens, total_tokens, cost, cost_note)
      select updated.id, ${test.attempt}, s.step, s.latency_ms, s.input_tokens, s.output_tokens, s.total_tokens, s.cost, s.cost_note
      from updated cross join jsonb_to_recordset(${jsonb(round === 1 ? stepFigures(facts.steps) : [])})
        as s(step text, latency_ms float8, input_tokens int, output_tokens int, total_tokens int, cost float8, cost_note text)
      on conflict (test_row_id, attempt, step) do nothing
      returning 1)
    select (select count(*) from updated)::int as updated,
      exists (select 1 from tests where run_id = ${runId} and id <> ${test.id} and status in (${sql.join([...openTestStatuses])})) as others_open`.execute(db);
  const row = written.rows[0];
  return row?.updated === 1 ? { written: true, runSettled: !row.others_open } : notOpen;
}

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
