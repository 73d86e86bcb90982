import { canEditSelection, isLocked, isRunning } from '../plugin/domain/experiment-status.js';
import type { ExperimentView, VariantView, VariantViewNode } from '../plugin/operations/experiment-view.js';
import type { RunProgress } from '../plugin/operations/run-progress.js';
import { BranchForm, type BranchValues } from './branch-form-fragment.js';
import { dateTime, isoTime, statusLabel } from './format.js';
import type { FieldErrors } from './form-fields.js';
import { SelectField } from './form-fields.js';
import { CompareChoice } from './compare-choice-fields.js';
import type { ExperimentResults as ResultsData } from '../plugin/operations/experiment-results.js';
import { ResultsSection, resultsExportPath } from './results-table-fragment.js';
import type { ResultsSort } from './results-sort.js';
import type { RunDefaults } from './run-settings-fields.js';
import { RunProgressFragment } from './run-progress-fragment.js';
import { StatusBadge } from './status-badge.js';
import { VariantTree } from './variant-tree-fragment.js';
import type { SetupStep, ViewPaths } from './view-paths.js';

export interface ExperimentLiveProps {
  paths: ViewPaths;
  experiment: ExperimentView;
  latestRun: RunProgress | null;
  /** Null when the results could not be read; the rest of the page still works. */
  results: ResultsData | null;
  runDefaults: RunDefaults;
  workflowUrl: (workflowId: string) => string | null;
  branch?: { values: BranchValues; errors: FieldErrors };
  /** The results table's order, from the page's `?sort=`. */
  sort?: ResultsSort | null;
  /** How many times the section has looked for a queued run to start (see VariantTree). */
  queueLooks?: number;
}

/** Every variant of the tree, parents before children. */
export function flattenTree(roots: readonly VariantViewNode[]): VariantView[] {
  return roots.flatMap((root) => [root, ...flattenTree(root.children)]);
}

function nextSetupStep(experiment: ExperimentView): SetupStep {
  if (experiment.stepIds.length === 0) return 'steps';
  if (experiment.taskCount === 0) return 'tasks';
  if (experiment.variants.length === 0) return 'baseline';
  return 'run';
}

// The page labels the hypothesis itself; a description written as "Hypothesis: …" would otherwise say it twice.
const withoutLabel = (description: string | null | undefined) => (description ?? '').replace(/^\s*hypothesis\s*:\s*/i, '').trim();

/**
 * Everything on the experiment page that changes as the experiment does: status and lock, the latest run, the variant
 * tree, the results and the actions. Replaced whole after each action and when a run ends, so it never goes stale.
 */
export function ExperimentLive({ paths, experiment, latestRun, results, runDefaults, workflowUrl, branch, sort = null, queueLooks = 0 }: ExperimentLiveProps) {
  const variants = flattenTree(experiment.variants);
  const running = isRunning(experiment.status);
  const acceptsVariants = isLocked(experiment.status) && experiment.status !== 'completed';
  const canRun = (variant: VariantViewNode) =>
    variant.status !== 'running' &&
    (variant.isBaseline
      ? experiment.status === 'baseline_pending' || experiment.status === 'baseline_failed'
      : experiment.status === 'baseline_complete' || experiment.status === 'idle');
  const completedVariants = variants.filter((variant) => variant.status === 'completed');
  const ranVariants = results?.variants.filter((row) => row.runId !== null) ?? [];
  const winner = variants.find((variant) => variant.id === experiment.winnerVariantId);
  const canComplete = experiment.status === 'baseline_complete' || experiment.status === 'idle';
  const canArchive = experiment.status !== 'archived' && !running;
  const id = experiment.id;
  const hypothesis = withoutLabel(experiment.description);
  return (
    <section id="experiment-live" hx-get={paths.live(id)} hx-trigger="run-ended from:body" hx-swap="outerHTML" aria-labelledby="experiment-heading">
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a> · <a href={paths.settings(id)}>Settings: name, hypothesis, evaluations</a>
      </p>
      <div class="xp-page-head">
        <h1 id="experiment-heading">{experiment.name}</h1>
        <p class="xp-status-line">
          <StatusBadge status={experiment.status} />
          {experiment.lockedAt ? (
            <span class="xp-lock">
              Locked since <time datetime={isoTime(experiment.lockedAt)}>{dateTime(experiment.lockedAt)}</time>
            </span>
          ) : (
            <span class="xp-muted xp-small">Not locked: tasks, steps and baseline can still change</span>
          )}
        </p>
      </div>
      {hypothesis ? (
        <p class="xp-hypothesis">
          <strong>Hypothesis:</strong> {hypothesis}
        </p>
      ) : null}
      <p class="xp-muted">
        {experiment.stepIds.length > 0 ? (
          <>
            Steps: <code>{experiment.stepIds.join(', ')}</code> ·{' '}
          </>
        ) : null}
        {experiment.taskCount} {experiment.taskCount === 1 ? 'task' : 'tasks'} · created {dateTime(experiment.createdAt)}
      </p>

      {canEditSelection(experiment.status) ? (
        <p class="xp-notice">
          {experiment.status === 'baseline_failed'
            ? 'The baseline run failed. Adjust the tasks or configuration if needed and run it again. '
            : 'This experiment is still being set up. '}
          <a href={paths.setup(id, nextSetupStep(experiment))}>Continue the set-up</a>
        </p>
      ) : null}
      {experiment.status === 'completed' ? (
        <p class="xp-notice">
          Completed {dateTime(experiment.completedAt)}.{' '}
          {winner ? (
            <>
              Winner: <strong>{winner.name}</strong> — <a href={paths.config(id, winner.id)}>export its configuration</a>
            </>
          ) : (
            'No winner was picked.'
          )}
        </p>
      ) : null}

      <div class="xp-progress-region" aria-live="polite">
        {latestRun ? (
          <RunProgressFragment paths={paths} experimentId={id} run={latestRun} workflowUrl={workflowUrl(latestRun.workflowId)} />
        ) : null}
      </div>

      <div hx-target:inherited="#experiment-live" hx-swap:inherited="outerHTML">
        <h2>Variants</h2>
        <VariantTree
          paths={paths}
          experimentId={id}
          roots={experiment.variants}
          canRun={canRun}
          canBranch={acceptsVariants}
          winnerVariantId={experiment.winnerVariantId}
          runDefaults={runDefaults}
          queueLooks={queueLooks}
          {...(results ? { changesOf: (variantId: string) => results.variants.find((row) => row.variantId === variantId)?.changes } : {})}
        />

        <h2 id="results-heading">Results</h2>
        {ranVariants.length > 0 ? (
          <p class="xp-exports">
            Share: <a href={resultsExportPath(paths, id, 'csv')} download>Download CSV</a> ·{' '}
            <a href={resultsExportPath(paths, id, 'md')}>Markdown summary</a>
          </p>
        ) : null}
        {results ? <ResultsSection paths={paths} experimentId={id} results={results} sort={sort} /> : <p class="xp-empty">Results are not available right now.</p>}

        {acceptsVariants ? (
          <>
            <h2 id="branch-heading">Branch a variant</h2>
            <p class="xp-hint">A variant changes exactly one parameter of one step, on top of its parent's configuration.</p>
            <BranchForm
              paths={paths}
              experimentId={id}
              variants={variants}
              steps={experiment.stepIds}
              {...(branch ? { values: branch.values, errors: branch.errors } : {})}
            />
          </>
        ) : null}

        {ranVariants.length >= 2 ? (
          <>
            <h2>Compare variants</h2>
            <form method="get" action={paths.compare(id)} class="xp-compare-form">
              <CompareChoice options={ranVariants.map((row) => ({ variantId: row.variantId, name: row.name }))} chosen={ranVariants.slice(0, 2).map((row) => row.variantId)} />
              <button type="submit" class="xp-button">
                Compare
              </button>
            </form>
          </>
        ) : null}

        {canComplete || canArchive ? <h2>Finish</h2> : null}
        <div class="xp-actions">
          {canComplete ? (
            <form
              method="post"
              action={paths.complete(id)}
              hx-post={paths.complete(id)}
              hx-confirm="Complete this experiment? No more variants can be created or run afterwards."
              class="xp-inline-form"
            >
              <SelectField
                id="complete-winner"
                name="winnerVariantId"
                label="Winner"
                value=""
                options={[['', 'No winner'] as const, ...completedVariants.map((variant) => [variant.id, variant.name] as const)]}
              />
              <button type="submit" class="xp-button xp-button-primary">
                Complete experiment
              </button>
            </form>
          ) : null}
          {canArchive ? (
            <form
              method="post"
              action={paths.archive(id)}
              hx-post={paths.archive(id)}
              hx-confirm="Archive this experiment? It becomes read-only; its results are kept."
            >
              <button type="submit" class="xp-button xp-button-danger">
                Archive experiment
              </button>
            </form>
          ) : null}
          {running ? <p class="xp-muted xp-small">A run is going: cancel it before completing or archiving the experiment.</p> : null}
        </div>
      </div>

      <details class="xp-history">
        <summary>History ({experiment.events.length} latest events)</summary>
        <ol>
          {experiment.events.map((event) => (
            <li>
              <time datetime={isoTime(event.at)}>{dateTime(event.at)}</time> · {event.actor} ·{' '}
              {event.toStatus ? `${statusLabel(event.fromStatus ?? '')} → ${statusLabel(event.toStatus)}` : event.kind.replaceAll('_', ' ')}
              {event.reason ? <span class="xp-muted"> — {event.reason}</span> : null}
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}
