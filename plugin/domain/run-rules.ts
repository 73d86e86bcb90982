import { ExperimentsError } from '../errors.js';
import { isFinalRunStatus, nextStatus, type ExperimentEvent, type ExperimentStatus, type RunStatus } from './experiment-status.js';
import type { ExperimentConfig } from './parameters.js';

/** The lifecycle event of starting a run of the baseline or of a variant. */
export const runStartEvent = (isBaseline: boolean): ExperimentEvent => (isBaseline ? 'start_baseline' : 'start_variant');

/**
 * Whether the experiment can start a run of this variant now: its status must allow it (one run at a time, the
 * baseline before any variant) and it needs at least one step and one task. Returns the lifecycle event.
 */
export function checkRunStart(status: ExperimentStatus, isBaseline: boolean, selection: { steps: number; tasks: number }): ExperimentEvent {
  const event = runStartEvent(isBaseline);
  nextStatus(status, event);
  if (selection.steps === 0 || selection.tasks === 0) {
    throw new ExperimentsError('conflict', 'Select at least one inference step and one task before running.');
  }
  return event;
}

/** The baseline fixes the task content every later variant runs against: each selected task must still exist. */
export function checkTasksExist(missing: readonly string[]): void {
  if (missing.length > 0) {
    throw new ExperimentsError('unprocessable', `${missing.length} selected task(s) no longer exist in the host; remove them from the experiment first.`, {
      missing: missing.slice(0, 50),
    });
  }
}

/**
 * Whether a run may be retried in place: it has ended, and a baseline only while its failure left the experiment
 * open to run it again. Returns the lifecycle event.
 */
export function checkRetry(run: { status: RunStatus; isBaseline: boolean }, experimentStatus: ExperimentStatus): ExperimentEvent {
  if (!isFinalRunStatus(run.status)) throw new ExperimentsError('conflict', 'The run is still going; retry it once it has finished.');
  if (run.isBaseline && experimentStatus !== 'baseline_failed') {
    throw new ExperimentsError('locked', 'The baseline completed and is locked; its results can no longer change. Run a variant instead.');
  }
  const event = runStartEvent(run.isBaseline);
  nextStatus(experimentStatus, event);
  return event;
}

/** The config sent for every in-scope step: each step appears, even with no parameters set. */
export function scopedConfig(config: ExperimentConfig, steps: readonly string[]): ExperimentConfig {
  return Object.fromEntries(steps.map((step) => [step, { ...(config[step] ?? {}) }]));
}

/**
 * How many tests a retry of this run would send again now: its errored, timed-out and not-run tests, and none while
 * the run goes or when the experiment cannot run it again (a locked baseline, a completed or archived experiment).
 */
export function retryableNow(
  run: { status: RunStatus; isBaseline: boolean; counts: { errored: number; timedOut: number; notRun: number } },
  experimentStatus: ExperimentStatus,
): number {
  try {
    checkRetry(run, experimentStatus);
  } catch {
    return 0;
  }
  return run.counts.errored + run.counts.timedOut + run.counts.notRun;
}
