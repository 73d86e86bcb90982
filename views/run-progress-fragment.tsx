import type { RunProgress } from '../plugin/operations/run-progress.js';
import { dateTime } from './format.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';

export interface RunProgressProps {
  paths: ViewPaths;
  experimentId: string;
  run: RunProgress;
  /** The run's workflow in the Temporal UI, when one is configured. */
  workflowUrl: string | null;
}

/** Whether a run is still going, so its progress keeps being polled. */
export const isActiveRun = (run: Pick<RunProgress, 'status'>): boolean => run.status === 'pending' || run.status === 'running';

/**
 * The latest run: a progress bar with done/total and rate. While the run is going the element polls itself every
 * second and is replaced by each answer; the answer for a run that has ended carries no trigger, so polling stops.
 */
export function RunProgressFragment({ paths, experimentId, run, workflowUrl }: RunProgressProps) {
  const active = isActiveRun(run);
  const { done, total, testsPerSecond } = run.progress;
  const { counts } = run;
  const { notRun } = counts;
  // Only what could not run to a verdict, and only while the experiment can run it again (run.retryable says both).
  const { retryable } = run;
  const title = `${run.isBaseline ? 'Baseline' : run.variantName} — run #${run.number}`;
  return (
    <div
      id="run-progress"
      class="xp-progress"
      data-run-id={run.runId}
      data-run-status={run.status}
      hx-get={active ? paths.progress(experimentId, run.runId) : undefined}
      hx-trigger={active ? 'every 1s' : undefined}
      hx-target={active ? 'this' : undefined}
      hx-swap={active ? 'outerHTML' : undefined}
    >
      <div class="xp-progress-head">
        <h3 class="xp-progress-title">{title}</h3>
        <StatusBadge status={run.status} />
      </div>
      <progress max={Math.max(total, 1)} value={done} aria-labelledby="run-progress-text"></progress>
      <p id="run-progress-text">
        <strong>
          {done} of {total}
        </strong>{' '}
        tests done
        {testsPerSecond === null ? null : <> · {testsPerSecond.toFixed(1)} tests/s</>} · {counts.passed} passed, {counts.failed} failed,{' '}
        {counts.errored} errored, {counts.timedOut} timed out
        {notRun > 0 ? <> · {notRun} not run (counted nowhere)</> : null}
        {active && counts.awaitingTrace > 0 ? <> · {counts.awaitingTrace} awaiting their trace</> : null}
      </p>
      {run.stopped ? (
        <p class="xp-run-stopped" data-stop-reason={run.stopped.reason}>
          Stopped sending: {run.stopped.summary}.
        </p>
      ) : null}
      {run.error ? <p class="xp-field-error">{run.error}</p> : null}
      <div class="xp-actions">
        {active ? (
          <form
            method="post"
            action={paths.cancel(experimentId, run.runId)}
            hx-post={paths.cancel(experimentId, run.runId)}
            hx-confirm="Cancel this run? Tests already finished keep their results; the rest are not sent."
            hx-target="#experiment-live"
            hx-swap="outerHTML"
          >
            <button type="submit" class="xp-button xp-button-danger">
              Cancel run
            </button>
          </form>
        ) : (
          <span class="xp-muted xp-small">{run.finishedAt ? `Ended ${dateTime(run.finishedAt)}` : null}</span>
        )}
        {retryable > 0 ? (
          <form
            method="post"
            action={paths.retry(experimentId, run.runId)}
            hx-post={paths.retry(experimentId, run.runId)}
            hx-target="#experiment-live"
            hx-swap="outerHTML"
          >
            <button type="submit" class="xp-button">
              Retry {retryable} errored, timed-out or not-run {retryable === 1 ? 'test' : 'tests'}
            </button>
          </form>
        ) : null}
        <a class="xp-button" href={paths.tests(experimentId, run.runId)}>
          Task breakdown
        </a>
        {workflowUrl ? (
          <a class="xp-button" href={workflowUrl} target="_blank" rel="noopener noreferrer">
            Workflow in Temporal
          </a>
        ) : null}
      </div>
    </div>
  );
}
