import type { NotRunReason } from '../plugin/domain/experiment-status.js';
import { pairTasks } from '../plugin/domain/paired-tasks.js';
import { observePair, sequentialVerdict, startSequentialTest, type SequentialKind } from '../plugin/domain/sequential-test.js';
import type { Verdict } from '../plugin/domain/statistics.js';
import type { TaskInOrder, TaskTally } from '../plugin/domain/task-outcomes.js';
import type { SweepResult } from './activities.js';

type StatusCounts = SweepResult['counts'];

// What `runWorkflow` decides, apart from doing it: plain functions of the run's state and the workflow's clock,
// so each decision is tested on its own and the workflow body keeps only the effects (activities, timers,
// continue-as-new). Deterministic: no Temporal, no I/O, no clock but the `now` handed in.

/** Deliveries return after at most this many tests, fewer as the history fills. */
export const testsPerDelivery = 1_000;
// A test evaluated in the workflow costs its trace signal and a share of evaluation batches and workflow tasks:
// about four events at most; most tests are evaluated where their trace arrives and cost none.
const eventsPerTest = 4;
const fewestTestsPerDelivery = 50;
/** Small batches, several at once: a trace's result is written within milliseconds of its arrival. */
export const evaluationBatch = 20;
export const parallelEvaluations = 4;
/** Deadlines and missed signals (e.g. Temporal was down when a trace came) are checked at least this often. */
export const sweepEveryMs = 10_000;
export const tickMs = 1_000;

/** The latest sweep's findings the decisions rest on. */
export interface SweepView {
  counts: StatusCounts;
  /** The earliest deadline of a test awaiting its trace, in epoch ms. */
  nextDeadline: number | null;
}

/** Everything the decisions read; the workflow keeps it and updates it as work reports back. */
export interface RunState {
  cancelled: boolean;
  /** A delivery activity is under way. */
  delivering: boolean;
  /** Evaluation activities under way. */
  evaluating: number;
  /** Arrivals waiting for an evaluation slot. */
  waiting: number;
  /** Pending tests the last delivery left (infinite before the first). */
  pendingLeft: number;
  /** The latest sweep ran after the last delivery ended, so its counts show what that delivery left. */
  sweptSinceDelivery: boolean;
  /** Something happened since the latest sweep (a delivery or evaluation ended, a signal came). */
  changedSinceSweep: boolean;
  /** The run's last open test was settled outside the workflow. */
  settled: boolean;
  /** When the latest sweep started (workflow time, ms). */
  lastSweep: number;
  sweep: SweepView | null;
}

/** No delivery, no evaluation running or waiting. */
export const isQuiet = (state: RunState): boolean => !state.delivering && state.evaluating === 0 && state.waiting === 0;

const openTests = (counts: StatusCounts) => counts.pending + counts.dispatched + counts.awaitingTrace + counts.evaluating;

/** Sweep every `sweepEveryMs`, and soon after the run went quiet with something new (at once when it settled). */
export function shouldSweep(state: RunState, now: number): boolean {
  const sinceSweep = now - state.lastSweep;
  return sinceSweep >= sweepEveryMs || (isQuiet(state) && state.changedSinceSweep && (sinceSweep >= tickMs || state.settled));
}

/**
 * How many tests the next delivery may claim: as many as the history has room for, within bounds, and the run's last
 * tests too when fewer than one per lane would be left. Those would wait for the next delivery, which starts only
 * once every lane of this one has its answer: a whole webhook's time with nothing sent (a 1,000-test run at a second a
 * test and concurrency 100 took 11% longer for its last 3 tests). A wave more of tests fits the history easily: the
 * budget counts four events a test, and tests evaluated where their trace arrives cost the workflow none.
 */
export function deliveryLimit(historyBudget: number, historyLength: number, run?: { pending: number; concurrency: number }): number {
  const limit = Math.max(fewestTestsPerDelivery, Math.min(testsPerDelivery, Math.floor((historyBudget - historyLength) / eventsPerTest)));
  return run && run.pending > limit && run.pending - limit < run.concurrency ? run.pending : limit;
}

/** The batches of waiting arrivals to evaluate now, given how many evaluations run; the rest keep waiting. */
export function evaluationBatches<T>(waiting: readonly T[], evaluating: number): { batches: T[][]; rest: T[] } {
  const batches: T[][] = [];
  let rest = [...waiting];
  while (rest.length > 0 && evaluating + batches.length < parallelEvaluations) {
    batches.push(rest.slice(0, evaluationBatch));
    rest = rest.slice(evaluationBatch);
  }
  return { batches, rest };
}

/** What the run does after a sweep and the evaluations it started: deliver more, and whether it ends or rolls over. */
export interface NextStep {
  deliver: boolean;
  end: 'finish' | 'continue_as_new' | null;
}

/**
 * The run's next step. `rollingOver` says the history is near its budget: no new delivery starts, and once quiet
 * the run continues as new. A test still `dispatched` while no delivery runs was claimed by a delivery that ended
 * without sending it (an attempt replaced while it waited on a database that had gone away): a new delivery
 * releases and sends it.
 */
export function nextStep(state: RunState, rollingOver: boolean): NextStep {
  const idle = isQuiet(state);
  if (state.cancelled) return { deliver: false, end: idle ? 'finish' : null };
  const interrupted = state.sweptSinceDelivery && (state.sweep?.counts.dispatched ?? 0) > 0;
  const deliver = !state.delivering && (state.pendingLeft > 0 || interrupted) && !rollingOver;
  const counts = state.sweep?.counts;
  const allClosed = counts !== undefined && openTests(counts) === 0;
  if (idle && !state.changedSinceSweep && allClosed) return { deliver, end: 'finish' };
  if (idle && rollingOver) return { deliver, end: 'continue_as_new' };
  return { deliver, end: null };
}

/**
 * When the run should look again, or null when no timer is needed (or the one set, `timerAt`, comes first):
 * soon after it went quiet with something new (this is how a run notices it is done), else at the next deadline
 * or regular sweep. Always on a whole tick, never sooner than a tick from now.
 */
export function wakeAt(state: RunState, now: number, timerAt: number | null): number | null {
  let target: number;
  if (isQuiet(state) && state.changedSinceSweep) {
    target = state.lastSweep + tickMs;
  } else {
    const open = state.sweep ? openTests(state.sweep.counts) : 1;
    if (!state.delivering && open === 0) return null;
    target = Math.min(state.sweep?.nextDeadline ?? Number.POSITIVE_INFINITY, state.lastSweep + sweepEveryMs);
  }
  const at = Math.max(Math.ceil(target / tickMs) * tickMs, now + tickMs);
  if (timerAt !== null && timerAt <= at) return null;
  return at;
}

/** A timer that fired at `at` makes the next iteration sweep. */
export const lastSweepAfterTimer = (lastSweep: number, at: number): number => Math.min(lastSweep, at - sweepEveryMs);

/** The run's progress as the `progress` query reports it, from the latest sweep's counts. */
export function progressOf(total: number, counts: StatusCounts | undefined) {
  const done = counts ? counts.passed + counts.failed + counts.errored + counts.timedOut : 0;
  return { total, done, inFlight: counts?.dispatched ?? 0, awaitingTrace: counts?.awaitingTrace ?? 0 };
}

// ---- stopping a run before every test is sent (issue 15) ---------------------------------------------------

/** What a run may stop on: its verdict against the baseline, and a spend cap. */
export interface StoppingRules {
  /** Stop when decided: the level each decision is made at (α over the variants, so Holm keeps it) and the test. */
  whenDecided: { alpha: number; kind: SequentialKind } | null;
  maxCost: number | null;
  maxTokens: number | null;
}

/** Everything the stopping decision reads, all of it from the database: a killed worker loses nothing. */
export interface StoppingFacts {
  /** The run's tasks in the order they are sent (seeded when stopping early is on). */
  tasks: readonly TaskInOrder[];
  /** The baseline's finished tasks; null when the run is the baseline. */
  baseline: readonly TaskTally[] | null;
  /** Dollars and tokens the run's finished tests spent, as their traces report (unknown costs count nothing). */
  spent: { cost: number; tokens: number };
}

/** Why and where a run stopped sending; kept on the run, and shown on its page. */
export type StoppingDecision =
  | { reason: 'budget_reached'; spent: { cost: number; tokens: number }; limit: { maxCost: number | null; maxTokens: number | null } }
  | {
      reason: 'stopped_early';
      /** `decided`: the evidence crossed 1/α; `undecidable`: the remaining tasks could no longer make it cross. */
      status: 'decided' | 'undecidable';
      verdict: Verdict;
      /** The tasks looked at in the seeded order when it stopped, of all the run's tasks. */
      afterTasks: number;
      totalTasks: number;
      pValue: number;
    };

/**
 * Whether the run stops sending now, and why; null to go on. Stopping when decided feeds the pairs in the run's
 * order and only in it (a task once its tests are final and every earlier task's are), so slow outcomes cannot
 * come last and bias the start (see domain/sequential-test.ts). A task the baseline never finished pairs with
 * nothing and is passed over. A stop at the last task is no stop: nothing is left to spare.
 * @example stoppingDecision({ whenDecided: null, maxCost: 1, maxTokens: null }, { tasks, baseline, spent: { cost: 1.2, tokens: 0 } })
 *   // { reason: 'budget_reached', … }
 */
export function stoppingDecision(rules: StoppingRules, facts: StoppingFacts): StoppingDecision | null {
  if (rules.whenDecided && facts.baseline) {
    const decided = decideInOrder(rules.whenDecided, facts.tasks, facts.baseline);
    if (decided) return decided;
  }
  const overCost = rules.maxCost !== null && facts.spent.cost >= rules.maxCost;
  const overTokens = rules.maxTokens !== null && facts.spent.tokens >= rules.maxTokens;
  if (overCost || overTokens) return { reason: 'budget_reached', spent: facts.spent, limit: { maxCost: rules.maxCost, maxTokens: rules.maxTokens } };
  return null;
}

function decideInOrder(
  rules: NonNullable<StoppingRules['whenDecided']>,
  tasks: readonly TaskInOrder[],
  baseline: readonly TaskTally[],
): StoppingDecision | null {
  const baselineFinished = new Map(baseline.filter((tally) => tally.finished > 0).map((tally) => [tally.taskId, tally]));
  // Pairs still possible after each position: the later tasks the baseline finished.
  const pairableAfter: number[] = new Array<number>(tasks.length).fill(0);
  for (let i = tasks.length - 2; i >= 0; i--) pairableAfter[i] = pairableAfter[i + 1]! + (baselineFinished.has(tasks[i + 1]!.taskId) ? 1 : 0);

  let state = startSequentialTest(rules.kind);
  for (const [index, task] of tasks.entries()) {
    if (task.open) return null;
    const [pair] = pairTasks(baselineFinished.has(task.taskId) ? [baselineFinished.get(task.taskId)!] : [], [task]);
    if (!pair) continue;
    state = observePair(state, pair, rules.alpha);
    const verdict = sequentialVerdict(state, pairableAfter[index]!, rules.alpha);
    if (verdict.status !== 'continue' && index < tasks.length - 1) {
      return { reason: 'stopped_early', status: verdict.status, verdict: verdict.verdict, afterTasks: index + 1, totalTasks: tasks.length, pValue: verdict.pValue };
    }
  }
  return null;
}

/** The reason a run's unsent tests are not run, once it stopped. */
export const notRunReasonOf = (decision: StoppingDecision): NotRunReason => decision.reason;
