import { describe, expect, it } from 'vitest';
import {
  deliveryLimit,
  evaluationBatches,
  lastSweepAfterTimer,
  nextStep,
  progressOf,
  shouldSweep,
  stoppingDecision,
  type StoppingRules,
  sweepEveryMs,
  testsPerDelivery,
  tickMs,
  wakeAt,
  type RunState,
} from './run-decisions.js';
import { tasksInOrder, type TaskTally, type TestOutcome } from '../plugin/domain/task-outcomes.js';

const counts = (open: Partial<Record<'pending' | 'dispatched' | 'awaitingTrace' | 'evaluating', number>> = {}) => ({
  total: 10,
  pending: 0,
  dispatched: 0,
  awaitingTrace: 0,
  evaluating: 0,
  passed: 6,
  failed: 2,
  errored: 1,
  timedOut: 1,
  notRun: 0,
  ...open,
});

const now = 1_000_000;
// A run that is quiet, swept just now with nothing open, and has nothing new.
const state = (changes: Partial<RunState> = {}): RunState => ({
  cancelled: false,
  delivering: false,
  evaluating: 0,
  waiting: 0,
  pendingLeft: 0,
  sweptSinceDelivery: true,
  changedSinceSweep: false,
  settled: false,
  lastSweep: now,
  sweep: { counts: counts(), nextDeadline: null },
  ...changes,
});

describe('when a run sweeps', () => {
  it('sweeps at least every sweepEveryMs, busy or not', () => {
    expect(shouldSweep(state({ delivering: true, lastSweep: now - sweepEveryMs }), now)).toBe(true);
    expect(shouldSweep(state({ delivering: true, changedSinceSweep: true, lastSweep: now - sweepEveryMs + 1 }), now)).toBe(false);
  });

  it('sweeps a tick after it went quiet with something new, at once when its last test was settled', () => {
    expect(shouldSweep(state({ changedSinceSweep: true, lastSweep: now - tickMs }), now)).toBe(true);
    expect(shouldSweep(state({ changedSinceSweep: true, lastSweep: now - tickMs + 1 }), now)).toBe(false);
    expect(shouldSweep(state({ changedSinceSweep: true, settled: true, lastSweep: now - 1 }), now)).toBe(true);
    // Not while evaluations are still under way or waiting, nor when nothing changed.
    expect(shouldSweep(state({ changedSinceSweep: true, evaluating: 1, lastSweep: now - tickMs }), now)).toBe(false);
    expect(shouldSweep(state({ changedSinceSweep: true, waiting: 3, lastSweep: now - tickMs }), now)).toBe(false);
    expect(shouldSweep(state({ lastSweep: now - tickMs }), now)).toBe(false);
  });
});

describe('what a run does next', () => {
  it('delivers while tests are pending, and not while rolling over or cancelled', () => {
    expect(nextStep(state({ pendingLeft: Number.POSITIVE_INFINITY, sweep: null }), false)).toEqual({ deliver: true, end: null });
    expect(nextStep(state({ pendingLeft: 5, sweep: { counts: counts({ pending: 5 }), nextDeadline: null } }), true)).toEqual({
      deliver: false,
      end: 'continue_as_new',
    });
    expect(nextStep(state({ pendingLeft: 5, cancelled: true }), false)).toEqual({ deliver: false, end: 'finish' });
    expect(nextStep(state({ pendingLeft: 5, delivering: true }), false)).toEqual({ deliver: false, end: null });
  });

  it('delivers again for a test left dispatched by a delivery that ended without sending it', () => {
    const left = { counts: counts({ dispatched: 1 }), nextDeadline: null };
    expect(nextStep(state({ sweep: left }), false).deliver).toBe(true);
    // Unless the sweep ran before that delivery ended: then its counts may show the delivery's own claims.
    expect(nextStep(state({ sweep: left, sweptSinceDelivery: false }), false).deliver).toBe(false);
  });

  it('finishes once quiet, unchanged since its sweep and with every test closed', () => {
    expect(nextStep(state(), false)).toEqual({ deliver: false, end: 'finish' });
    expect(nextStep(state({ changedSinceSweep: true }), false).end).toBeNull();
    expect(nextStep(state({ evaluating: 1 }), false).end).toBeNull();
    expect(nextStep(state({ sweep: { counts: counts({ awaitingTrace: 1 }), nextDeadline: now + 5_000 } }), false).end).toBeNull();
    expect(nextStep(state({ sweep: null }), false).end).toBeNull();
  });

  it('waits for running work before a cancelled run finishes or a run rolls over', () => {
    expect(nextStep(state({ cancelled: true, evaluating: 2 }), false)).toEqual({ deliver: false, end: null });
    expect(nextStep(state({ delivering: true, sweep: { counts: counts({ pending: 9 }), nextDeadline: null } }), true)).toEqual({
      deliver: false,
      end: null,
    });
  });
});

describe('when a run wakes up by itself', () => {
  it('looks again a tick after its sweep when it went quiet with something new', () => {
    expect(wakeAt(state({ changedSinceSweep: true, lastSweep: now }), now, null)).toBe(now + tickMs);
  });

  it('wakes at the next deadline or the regular sweep, whichever comes first, on a whole tick', () => {
    const awaiting = { counts: counts({ awaitingTrace: 2 }), nextDeadline: now + 3_500 };
    expect(wakeAt(state({ sweep: awaiting }), now, null)).toBe(now + 4_000);
    expect(wakeAt(state({ sweep: { ...awaiting, nextDeadline: now + 60_000 } }), now, null)).toBe(now + sweepEveryMs);
    // A deadline already past still waits a tick.
    expect(wakeAt(state({ sweep: { ...awaiting, nextDeadline: now - 5_000 } }), now, null)).toBe(now + tickMs);
  });

  it('sets no timer when nothing is open or one set comes first', () => {
    expect(wakeAt(state(), now, null)).toBeNull();
    const awaiting = { counts: counts({ awaitingTrace: 2 }), nextDeadline: now + 3_500 };
    expect(wakeAt(state({ sweep: awaiting }), now, now + 2_000)).toBeNull();
    expect(wakeAt(state({ sweep: awaiting }), now, now + 9_000)).toBe(now + 4_000);
  });

  it('a timer that fires makes the next iteration sweep', () => {
    const lastSweep = lastSweepAfterTimer(now - 500, now + 4_000);
    expect(shouldSweep(state({ lastSweep, delivering: true }), now + 4_000)).toBe(true);
  });
});

describe('evaluations, deliveries and progress', () => {
  it('starts batches of 20 arrivals, at most four evaluations at once', () => {
    const arrivals = Array.from({ length: 70 }, (_, index) => index);
    const { batches, rest } = evaluationBatches(arrivals, 1);
    expect(batches.map((batch) => batch.length)).toEqual([20, 20, 20]);
    expect(batches.flat()).toEqual(arrivals.slice(0, 60));
    expect(rest).toEqual(arrivals.slice(60));
    expect(evaluationBatches(arrivals, 4)).toEqual({ batches: [], rest: arrivals });
  });

  it('claims fewer tests per delivery as the history fills, within bounds', () => {
    expect(deliveryLimit(4_000, 10)).toBe(997);
    expect(deliveryLimit(10_000, 10)).toBe(testsPerDelivery);
    expect(deliveryLimit(4_000, 3_000)).toBe(250);
    expect(deliveryLimit(4_000, 3_990)).toBe(50);
  });

  it('takes the run\'s last tests with this delivery when fewer than one per lane would be left', () => {
    expect(deliveryLimit(4_000, 10, { pending: 1_000, concurrency: 100 })).toBe(1_000);
    expect(deliveryLimit(4_000, 10, { pending: 1_096, concurrency: 100 })).toBe(1_096);
    // A wave or more left over: the next delivery takes it, as before.
    expect(deliveryLimit(4_000, 10, { pending: 1_097, concurrency: 100 })).toBe(997);
    expect(deliveryLimit(4_000, 10, { pending: 500, concurrency: 100 })).toBe(997);
    expect(deliveryLimit(4_000, 3_990, { pending: 60, concurrency: 5 })).toBe(50);
  });

  it('reports progress from the latest sweep', () => {
    expect(progressOf(10, counts({ dispatched: 2, awaitingTrace: 3 }))).toEqual({ total: 10, done: 10, inFlight: 2, awaitingTrace: 3 });
    expect(progressOf(10, undefined)).toEqual({ total: 10, done: 0, inFlight: 0, awaitingTrace: 0 });
  });
});

describe('stoppingDecision', () => {
  const rules = (changes: Partial<StoppingRules> = {}): StoppingRules => ({
    whenDecided: { alpha: 0.05, kind: 'discordant_mixture' },
    maxCost: null,
    maxTokens: null,
    ...changes,
  });
  const ids = Array.from({ length: 40 }, (_, i) => `t${i}`);
  const allPassedBaseline = ids.map((taskId) => ({ taskId, passes: 1, finished: 1 }));
  // The run's tests in its order, from a string: P passed, F failed, . pending, ~ awaiting its trace, x not run.
  const run = (outcomes: string): TestOutcome[] =>
    [...outcomes].map((code, i) => ({
      taskId: ids[i]!,
      repeat: 0,
      status: ({ P: 'passed', F: 'failed', '.': 'pending', '~': 'awaiting_trace', x: 'not_run', E: 'errored' } as const)[code as 'P']!,
    }));
  const facts = (outcomes: string, baseline: TaskTally[] | null = allPassedBaseline) => ({ tasks: tasksInOrder(run(outcomes)), baseline, spent: { cost: 0, tokens: 0 } });

  it('stops once the variant is decided worse, counting the tasks looked at in the run order', () => {
    // log E(b regressions, 0 improvements) of the Beta(4,4) mixture first reaches ln 20 at b = 11 (sequential-test.test.ts).
    expect(stoppingDecision(rules(), facts('F'.repeat(10) + '.'.repeat(30)))).toBeNull();
    expect(stoppingDecision(rules(), facts('F'.repeat(11) + '.'.repeat(29)))).toMatchObject({
      reason: 'stopped_early', status: 'decided', verdict: 'worse', afterTasks: 11, totalTasks: 40,
    });
    // Ties do not move the evidence: three passes among the failures put the decision three tasks later.
    expect(stoppingDecision(rules(), facts('FPFPFPF' + 'F'.repeat(7) + '.'.repeat(26)))).toMatchObject({ verdict: 'worse', afterTasks: 14 });
  });

  it('feeds only in order: a task still open holds back every later one', () => {
    expect(stoppingDecision(rules(), facts('~' + 'F'.repeat(20) + '.'.repeat(19)))).toBeNull();
    expect(stoppingDecision(rules(), facts('F'.repeat(11) + '~' + '.'.repeat(28)))).toMatchObject({ afterTasks: 11 });
  });

  it('passes over tasks the baseline or the variant never finished', () => {
    const baseline = allPassedBaseline.map((tally, i) => (i < 5 ? { ...tally, passes: 0, finished: 0 } : tally));
    // The first five tasks pair with nothing, the sixth never ran: the 11th regression is task 17.
    expect(stoppingDecision(rules(), facts('PPPPPx' + 'F'.repeat(11) + '.'.repeat(23), baseline))).toMatchObject({ verdict: 'worse', afterTasks: 17 });
    // An errored test finished without passing: it is a regression like a failure.
    expect(stoppingDecision(rules(), facts('E' + 'F'.repeat(10) + '.'.repeat(29)))).toMatchObject({ verdict: 'worse', afterTasks: 11 });
  });

  it('stops as undecidable when the remaining tasks cannot change the verdict, but never at the last task', () => {
    // Balanced: after 11 regressions and 10 improvements, 19 more tasks could still reach 1/α
    // (max(log E(11 + 19, 10), log E(11, 10 + 19)) ≥ ln 20); after 11 and 11, 18 more cannot.
    const baseline = ids.map((taskId, i) => ({ taskId, passes: i % 2, finished: 1 }));
    expect(stoppingDecision(rules(), facts('PF'.repeat(10) + 'P' + '.'.repeat(19), baseline))).toBeNull();
    const late = stoppingDecision(rules(), facts('PF'.repeat(11) + '.'.repeat(18), baseline));
    expect(late).toMatchObject({ reason: 'stopped_early', status: 'undecidable', verdict: 'no_difference', afterTasks: 22, pValue: 1 });
    // A run of 11 tasks decided at its 11th has nothing left to spare.
    expect(stoppingDecision(rules(), facts('F'.repeat(11)))).toBeNull();
    expect(stoppingDecision(rules(), facts('F'.repeat(12)))).toMatchObject({ afterTasks: 11, totalTasks: 12 });
  });

  it('does not stop the baseline, nor a run that does not ask to', () => {
    expect(stoppingDecision(rules(), facts('F'.repeat(20) + '.'.repeat(20), null))).toBeNull();
    expect(stoppingDecision(rules({ whenDecided: null }), facts('F'.repeat(20) + '.'.repeat(20)))).toBeNull();
  });

  it('stops at the spend cap, in dollars or tokens, whichever is reached', () => {
    const spent = (cost: number, tokens: number) => ({ ...facts('P.'), spent: { cost, tokens } });
    const capped = rules({ whenDecided: null, maxCost: 0.5, maxTokens: 10_000 });
    expect(stoppingDecision(capped, spent(0.49, 9_999))).toBeNull();
    expect(stoppingDecision(capped, spent(0.5, 0))).toEqual({ reason: 'budget_reached', spent: { cost: 0.5, tokens: 0 }, limit: { maxCost: 0.5, maxTokens: 10_000 } });
    expect(stoppingDecision(capped, spent(0, 10_000))).toMatchObject({ reason: 'budget_reached' });
  });

  it('uses the level it is given: α split over three variants decides later', () => {
    const strict = rules({ whenDecided: { alpha: 0.05 / 3, kind: 'discordant_mixture' } });
    expect(stoppingDecision(strict, facts('F'.repeat(11) + '.'.repeat(29)))).toBeNull();
    expect(stoppingDecision(strict, facts('F'.repeat(16) + '.'.repeat(24)))).toMatchObject({ verdict: 'worse' });
  });

  it('takes repeats with the betting e-process', () => {
    const withRepeats: TestOutcome[] = ids.slice(0, 20).flatMap((taskId) => [0, 1, 2].map((repeat) => ({ taskId, repeat, status: 'failed' as const })));
    const pending: TestOutcome[] = ids.slice(20).flatMap((taskId) => [0, 1, 2].map((repeat) => ({ taskId, repeat, status: 'pending' as const })));
    const decision = stoppingDecision(rules({ whenDecided: { alpha: 0.05, kind: 'betting' } }), { tasks: tasksInOrder([...withRepeats, ...pending]), baseline: allPassedBaseline, spent: { cost: 0, tokens: 0 } });
    expect(decision).toMatchObject({ reason: 'stopped_early', status: 'decided', verdict: 'worse' });
  });
});
