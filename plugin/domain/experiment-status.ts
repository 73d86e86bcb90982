import { ExperimentsError } from '../errors.js';

/** Experiment statuses, as stored and as sent by the API (DESIGN §4). */
export const experimentStatuses = [
  'draft',
  'baseline_pending',
  'running_baseline',
  'baseline_complete',
  'baseline_failed',
  'running_variant',
  'idle',
  'completed',
  'archived',
] as const;
export type ExperimentStatus = (typeof experimentStatuses)[number];

/** What can happen to an experiment; each event names one move of the lifecycle. */
export const experimentEvents = [
  'select',
  'clear_selection',
  'start_baseline',
  'baseline_succeeded',
  'baseline_failed',
  'start_variant',
  'variant_ended',
  'complete',
  'archive',
] as const;
export type ExperimentEvent = (typeof experimentEvents)[number];

type Moves = Partial<Record<ExperimentStatus, ExperimentStatus>>;

// `select` means "the selection was edited and now holds at least one step and one task"; `clear_selection` means
// it was edited and now lacks steps or tasks. Both are moves (some to the same status) so every edit is checked.
// From baseline_failed an emptied selection goes back to draft: the lock comes only with a completed baseline, and
// draft is the one status that says "nothing to run yet", so baseline_failed always has a runnable selection.
const transitions: Record<ExperimentEvent, Moves> = {
  select: { draft: 'baseline_pending', baseline_pending: 'baseline_pending', baseline_failed: 'baseline_failed' },
  clear_selection: { draft: 'draft', baseline_pending: 'draft', baseline_failed: 'draft' },
  start_baseline: { baseline_pending: 'running_baseline', baseline_failed: 'running_baseline' },
  baseline_succeeded: { running_baseline: 'baseline_complete' },
  // Also recorded when a baseline run is cancelled: the run could not execute, so the baseline may be run again.
  baseline_failed: { running_baseline: 'baseline_failed' },
  start_variant: { baseline_complete: 'running_variant', idle: 'running_variant' },
  variant_ended: { running_variant: 'idle' },
  complete: { baseline_complete: 'completed', idle: 'completed' },
  archive: {
    draft: 'archived',
    baseline_pending: 'archived',
    baseline_complete: 'archived',
    baseline_failed: 'archived',
    idle: 'archived',
    completed: 'archived',
  },
};

/** Whether a run (baseline or variant) is in progress. */
export const isRunning = (status: ExperimentStatus): boolean =>
  status === 'running_baseline' || status === 'running_variant';

/**
 * Whether the baseline has completed, so its configuration, task set and steps can no longer change.
 * `archived` is not counted: whether it was locked depends on its history (callers keep a lockedAt time),
 * and an archived experiment refuses every move anyway.
 */
export const isLocked = (status: ExperimentStatus): boolean =>
  status === 'baseline_complete' || status === 'running_variant' || status === 'idle' || status === 'completed';

/** Whether the task and step selection may be edited. */
export const canEditSelection = (status: ExperimentStatus): boolean =>
  status === 'draft' || status === 'baseline_pending' || status === 'baseline_failed';

/** Whether the baseline configuration may be set or replaced. */
export const canEditBaseline = (status: ExperimentStatus): boolean => canEditSelection(status);

/** The events accepted in a status, in lifecycle order. */
export const allowedEvents = (status: ExperimentStatus): ExperimentEvent[] =>
  experimentEvents.filter((event) => transitions[event][status] !== undefined);

const attempts: Record<ExperimentEvent, string> = {
  select: 'Cannot change the task or step selection',
  clear_selection: 'Cannot change the task or step selection',
  start_baseline: 'Cannot run the baseline',
  baseline_succeeded: 'Cannot record the baseline as complete',
  baseline_failed: 'Cannot record the baseline as failed',
  start_variant: 'Cannot run a variant',
  variant_ended: 'Cannot record the end of a variant run',
  complete: 'Cannot complete the experiment',
  archive: 'Cannot archive the experiment',
};

function refusal(from: ExperimentStatus, event: ExperimentEvent): string {
  const attempt = attempts[event];
  if (event === 'baseline_succeeded' || event === 'baseline_failed') {
    return `${attempt}: the experiment is not running its baseline (status: ${from}).`;
  }
  if (event === 'variant_ended') return `${attempt}: the experiment is not running a variant (status: ${from}).`;
  switch (from) {
    case 'running_baseline':
      return event === 'start_baseline'
        ? `${attempt}: it is already running; wait for it to finish or cancel it.`
        : `${attempt} while the baseline is running; wait for it to finish or cancel it.`;
    case 'running_variant':
      return `${attempt} while a variant is running (one run at a time); wait for it to finish or cancel it.`;
    case 'archived':
      return event === 'archive'
        ? `${attempt}: it is already archived.`
        : `${attempt}: the experiment is archived and can no longer change.`;
    case 'completed':
      return event === 'complete'
        ? `${attempt}: it is already completed.`
        : `${attempt}: the experiment is completed; it can only be archived.`;
    case 'baseline_complete':
    case 'idle':
      return `${attempt}: the baseline has completed, so the task set, steps and baseline configuration are locked; create a variant to try a change, or a new experiment.`;
    case 'draft':
      return `${attempt} yet: select at least one inference step and one task, set the baseline configuration, then run the baseline.`;
    case 'baseline_pending':
      return `${attempt} before the baseline has completed; run the baseline first.`;
    case 'baseline_failed':
      return `${attempt}: the baseline run failed; adjust the task set or configuration if needed and run the baseline again.`;
  }
}

/**
 * The status an experiment moves to on `event`, or an `invalid_transition` error saying what to do instead.
 * @example nextStatus('baseline_pending', 'start_baseline') // 'running_baseline'
 */
export function nextStatus(from: ExperimentStatus, event: ExperimentEvent): ExperimentStatus {
  const to = transitions[event][from];
  if (to === undefined) {
    throw new ExperimentsError('invalid_transition', refusal(from, event), {
      status: from,
      event,
      allowedEvents: allowedEvents(from),
    });
  }
  return to;
}

/** Variant statuses; a variant may be run again from any status but `running`. */
export const variantStatuses = ['draft', 'running', 'completed', 'failed', 'cancelled'] as const;
export type VariantStatus = (typeof variantStatuses)[number];

export const variantEvents = ['start', 'succeed', 'fail', 'cancel'] as const;
export type VariantEvent = (typeof variantEvents)[number];

const variantTransitions: Record<VariantEvent, Partial<Record<VariantStatus, VariantStatus>>> = {
  start: { draft: 'running', completed: 'running', failed: 'running', cancelled: 'running' },
  succeed: { running: 'completed' },
  fail: { running: 'failed' },
  cancel: { running: 'cancelled' },
};

/**
 * The status a variant moves to on `event`, or an `invalid_transition` error.
 * @example nextVariantStatus('completed', 'start') // 'running'
 */
export function nextVariantStatus(from: VariantStatus, event: VariantEvent): VariantStatus {
  const to = variantTransitions[event][from];
  if (to !== undefined) return to;
  const message =
    event === 'start'
      ? 'Cannot run this variant: it is already running; wait for the run to finish or cancel it.'
      : `Cannot end this variant's run: the variant is not running (status: ${from}).`;
  throw new ExperimentsError('invalid_transition', message, { status: from, event });
}

/** Test statuses (DESIGN §6). */
export const testStatuses = [
  'pending',
  'dispatched',
  'awaiting_trace',
  'evaluating',
  'passed',
  'failed',
  'errored',
  'timed_out',
  'not_run',
] as const;
export type TestStatus = (typeof testStatuses)[number];

/** Statuses of a test that ran to a result: the only ones any figure counts (issue 14). */
export const finalTestStatuses = ['passed', 'failed', 'errored', 'timed_out'] as const satisfies readonly TestStatus[];

/** Statuses from which a test can still move; a final result is only written from these. */
export const openTestStatuses = ['pending', 'dispatched', 'awaiting_trace', 'evaluating'] as const satisfies readonly TestStatus[];

/**
 * Why a test is `not_run`: it was never sent, or its result never came, because its run was cancelled, stopped once
 * the answer was clear, or reached its budget. Such a test counts in no rate, never as a failure, error or
 * regression. The database checks `tests.not_run_reason` against this list (migrations/2026-12-03T0000-not-run-tests.ts);
 * a new reason is one edit here plus a migration re-creating `tests_not_run_reason_check`.
 */
export const notRunReasons = ['cancelled', 'stopped_early', 'budget_reached'] as const;
export type NotRunReason = (typeof notRunReasons)[number];

/** Open statuses of a test whose trace has not been attached yet (it is `evaluating` once it has). */
export const traceWaitingTestStatuses = openTestStatuses.filter((status) => status !== 'evaluating');

/** Final statuses a re-evaluation may change: the test has a trace and was evaluated (timeouts stay as they are). */
export const reevaluableTestStatuses = ['passed', 'failed', 'errored'] as const satisfies readonly TestStatus[];

/** Whether a test has its final result. */
export const isFinalTestStatus = (status: TestStatus): boolean =>
  (finalTestStatuses as readonly TestStatus[]).includes(status);

/**
 * Statuses a run retry sends back to `pending`: what could not run to a verdict (an infrastructure error, a trace that
 * never came) and what was never sent. A plain evaluation failure is a result, never retried: retrying until a test
 * passes would be cherry-picking.
 */
export const retryableTestStatuses = ['errored', 'timed_out', 'not_run'] as const satisfies readonly TestStatus[];

/** Whether a test may be retried in place. */
export const isRetryableTestStatus = (status: TestStatus): boolean =>
  (retryableTestStatuses as readonly TestStatus[]).includes(status);

/** Run statuses. */
export const runStatuses = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** Statuses of a run that has not ended. */
export const openRunStatuses = ['pending', 'running'] as const satisfies readonly RunStatus[];

/** Whether a run has ended. */
export const isFinalRunStatus = (status: RunStatus): boolean => !(openRunStatuses as readonly RunStatus[]).includes(status);
