import { describe, expect, it } from 'vitest';
import { ExperimentsError } from '../errors.js';
import {
  finalTestStatuses,
  openRunStatuses,
  openTestStatuses,
  reevaluableTestStatuses,
  traceWaitingTestStatuses,
  allowedEvents,
  canEditBaseline,
  canEditSelection,
  experimentEvents,
  experimentStatuses,
  isFinalRunStatus,
  isFinalTestStatus,
  isLocked,
  isRetryableTestStatus,
  isRunning,
  nextStatus,
  nextVariantStatus,
  runStatuses,
  testStatuses,
  variantEvents,
  variantStatuses,
} from './experiment-status.js';
import type { ExperimentEvent, ExperimentStatus, VariantEvent, VariantStatus } from './experiment-status.js';

// Written from DESIGN §4 by hand, not derived from the implementation's table.
const allowedExperimentMoves = `
  draft             select             baseline_pending
  draft             clear_selection    draft
  draft             archive            archived
  baseline_pending  select             baseline_pending
  baseline_pending  clear_selection    draft
  baseline_pending  start_baseline     running_baseline
  baseline_pending  archive            archived
  running_baseline  baseline_succeeded baseline_complete
  running_baseline  baseline_failed    baseline_failed
  baseline_failed   select             baseline_failed
  baseline_failed   clear_selection    draft
  baseline_failed   start_baseline     running_baseline
  baseline_failed   archive            archived
  baseline_complete start_variant      running_variant
  baseline_complete complete           completed
  baseline_complete archive            archived
  running_variant   variant_ended      idle
  idle              start_variant      running_variant
  idle              complete           completed
  idle              archive            archived
  completed         archive            archived
`;

function parseMoves(table: string): Map<string, string> {
  const moves = new Map<string, string>();
  for (const line of table.trim().split('\n')) {
    const [from, event, to] = line.trim().split(/\s+/);
    moves.set(`${from} ${event}`, to!);
  }
  return moves;
}

const expectedExperimentMoves = parseMoves(allowedExperimentMoves);

function errorOf(action: () => unknown): ExperimentsError {
  try {
    action();
  } catch (error) {
    if (error instanceof ExperimentsError) return error;
    throw error;
  }
  throw new Error('expected an ExperimentsError');
}

describe('experiment lifecycle', () => {
  const product = experimentStatuses.flatMap((from) => experimentEvents.map((event) => [from, event] as const));

  it('covers every status and event', () => {
    expect(product).toHaveLength(81);
  });

  it.each(product)('%s on %s', (from: ExperimentStatus, event: ExperimentEvent) => {
    const expected = expectedExperimentMoves.get(`${from} ${event}`);
    if (expected !== undefined) {
      expect(nextStatus(from, event)).toBe(expected);
      return;
    }
    const error = errorOf(() => nextStatus(from, event));
    expect(error.code).toBe('invalid_transition');
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/^Cannot .+\.$/);
    expect(error.message).not.toContain('undefined');
    expect(error.details).toEqual({ status: from, event, allowedEvents: allowedEvents(from) });
  });

  it('lists the allowed events of each status', () => {
    for (const status of experimentStatuses) {
      const expected = experimentEvents.filter((event) => expectedExperimentMoves.has(`${status} ${event}`));
      expect(allowedEvents(status)).toEqual(expected);
    }
    expect(allowedEvents('archived')).toEqual([]);
  });

  it('tells the user what to do instead', () => {
    expect(errorOf(() => nextStatus('running_baseline', 'start_variant')).message).toBe(
      'Cannot run a variant while the baseline is running; wait for it to finish or cancel it.',
    );
    expect(errorOf(() => nextStatus('running_variant', 'archive')).message).toBe(
      'Cannot archive the experiment while a variant is running (one run at a time); wait for it to finish or cancel it.',
    );
    expect(errorOf(() => nextStatus('idle', 'select')).message).toContain('locked');
    expect(errorOf(() => nextStatus('baseline_pending', 'start_variant')).message).toContain('run the baseline first');
    expect(errorOf(() => nextStatus('draft', 'start_baseline')).message).toContain(
      'select at least one inference step',
    );
    expect(errorOf(() => nextStatus('completed', 'complete')).message).toContain('already completed');
    expect(errorOf(() => nextStatus('archived', 'archive')).message).toContain('already archived');
    expect(errorOf(() => nextStatus('running_baseline', 'start_baseline')).message).toContain('already running');
    expect(errorOf(() => nextStatus('idle', 'baseline_succeeded')).message).toContain('not running its baseline');
  });

  it('knows which statuses are running, locked and editable', () => {
    const running = experimentStatuses.filter(isRunning);
    const locked = experimentStatuses.filter(isLocked);
    const editable = experimentStatuses.filter(canEditSelection);
    expect(running).toEqual(['running_baseline', 'running_variant']);
    expect(locked).toEqual(['baseline_complete', 'running_variant', 'idle', 'completed']);
    expect(editable).toEqual(['draft', 'baseline_pending', 'baseline_failed']);
    expect(experimentStatuses.filter(canEditBaseline)).toEqual(editable);
  });

  it('keeps the lock consistent with the moves', () => {
    for (const status of experimentStatuses) {
      const editsAllowed = expectedExperimentMoves.has(`${status} select`);
      expect(canEditSelection(status)).toBe(editsAllowed);
      if (isLocked(status)) expect(editsAllowed).toBe(false);
      if (isRunning(status)) expect(expectedExperimentMoves.has(`${status} archive`)).toBe(false);
    }
  });
});

const allowedVariantMoves = `
  draft     start   running
  completed start   running
  failed    start   running
  cancelled start   running
  running   succeed completed
  running   fail    failed
  running   cancel  cancelled
`;

describe('variant lifecycle', () => {
  const expected = parseMoves(allowedVariantMoves);
  const product = variantStatuses.flatMap((from) => variantEvents.map((event) => [from, event] as const));

  it.each(product)('%s on %s', (from: VariantStatus, event: VariantEvent) => {
    const to = expected.get(`${from} ${event}`);
    if (to !== undefined) {
      expect(nextVariantStatus(from, event)).toBe(to);
      return;
    }
    const error = errorOf(() => nextVariantStatus(from, event));
    expect(error.code).toBe('invalid_transition');
    expect(error.message).toMatch(/^Cannot .+\.$/);
  });
});

describe('test and run statuses', () => {
  it('knows which test statuses are final and retryable', () => {
    expect(testStatuses.filter(isFinalTestStatus)).toEqual(['passed', 'failed', 'errored', 'timed_out']);
    expect(testStatuses.filter(isRetryableTestStatus)).toEqual(['errored', 'timed_out', 'not_run']);
  });

  it('knows which run statuses are final', () => {
    expect(runStatuses.filter(isFinalRunStatus)).toEqual(['completed', 'failed', 'cancelled']);
  });
});

describe('status lists the queries use', () => {
  it('derives open, trace-waiting and final lists that, with not_run, partition the test statuses', () => {
    expect(openTestStatuses).toEqual(['pending', 'dispatched', 'awaiting_trace', 'evaluating']);
    expect(traceWaitingTestStatuses).toEqual(['pending', 'dispatched', 'awaiting_trace']);
    expect([...openTestStatuses, ...finalTestStatuses, 'not_run'].sort()).toEqual([...testStatuses].sort());
    expect(reevaluableTestStatuses.every((status) => (finalTestStatuses as readonly string[]).includes(status))).toBe(true);
  });

  it('tells open runs from ended ones', () => {
    expect(runStatuses.filter((status) => !isFinalRunStatus(status))).toEqual([...openRunStatuses]);
    expect(runStatuses.filter(isFinalRunStatus)).toEqual(['completed', 'failed', 'cancelled']);
  });
});
