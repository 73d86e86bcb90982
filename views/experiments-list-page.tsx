import type { ExperimentSummaryView } from '../plugin/operations/experiment-view.js';
import { dateTime, isoTime, statusLabel } from './format.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';

export interface ExperimentsListProps {
  paths: ViewPaths;
  filter: 'active' | 'archived';
  experiments: ExperimentSummaryView[];
}

function EmptyState({ paths, filter }: Pick<ExperimentsListProps, 'paths' | 'filter'>) {
  if (filter === 'archived') {
    return (
      <div class="xp-empty">
        <p>No archived experiments. An experiment you archive is kept here, read-only, with its results.</p>
      </div>
    );
  }
  return (
    <div class="xp-empty">
      <h2>No experiments yet</h2>
      <p>
        An experiment compares configurations of your pipeline on a fixed set of tasks. You run a <strong>baseline</strong> — usually the
        configuration in production — then <strong>variants</strong> that each change one parameter of one inference step (a model, a
        temperature, a system prompt), and see which change raised or lowered the pass rate.
      </p>
      <ol>
        <li>Name it and write down what you expect to happen.</li>
        <li>Pick the inference steps in scope and the tasks to test on.</li>
        <li>Set the baseline configuration and run it; the task set is then locked.</li>
        <li>Branch variants, run them and compare their results with the baseline.</li>
      </ol>
      <p>
        <a class="xp-button xp-button-primary" href={paths.newExperiment}>
          Start your first experiment
        </a>
      </p>
    </div>
  );
}

/**
 * Before anything has run, points at the experiment that is ready to run (on a fresh start, the demo experiment), so a
 * person who just logged in knows where to begin.
 */
function StartHere({ paths, filter, experiments }: ExperimentsListProps) {
  if (filter !== 'active' || experiments.some((experiment) => experiment.latestRun !== null)) return null;
  const ready = experiments.find((experiment) => experiment.status === 'baseline_pending');
  if (!ready) return null;
  return (
    <p class="xp-notice" id="start-here">
      Start here: <a href={paths.experiment(ready.id)}>{ready.name}</a> is set up and ready. Open it and run its baseline, then branch a
      variant and compare.
    </p>
  );
}

/** The Experiments tab's front page: the project's experiments with their status, and a way to start a new one. */
export function ExperimentsListPage({ paths, filter, experiments }: ExperimentsListProps) {
  return (
    <section aria-labelledby="experiments-heading">
      <div class="xp-page-head">
        <h1 id="experiments-heading">Experiments</h1>
        <div class="xp-actions">
          {/* Project settings: the prices tests are priced by (a model not listed has an unknown cost). */}
          <a class="xp-button" href={paths.modelPrices()}>
            Model prices
          </a>
          <a class="xp-button xp-button-primary" href={paths.newExperiment}>
            New experiment
          </a>
        </div>
      </div>
      <nav class="xp-filter" aria-label="Which experiments">
        <a href={paths.list()} aria-current={filter === 'active' ? 'page' : undefined}>
          Active
        </a>
        <a href={paths.list('archived')} aria-current={filter === 'archived' ? 'page' : undefined}>
          Archived
        </a>
      </nav>
      <StartHere paths={paths} filter={filter} experiments={experiments} />
      {experiments.length === 0 ? (
        <EmptyState paths={paths} filter={filter} />
      ) : (
        <table class="xp-table">
          <caption class="xp-visually-hidden">{filter === 'archived' ? 'Archived experiments' : 'Active experiments'}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Steps</th>
              <th scope="col" class="xp-num">
                Tasks
              </th>
              <th scope="col" class="xp-num">
                Variants
              </th>
              <th scope="col">Latest run</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((experiment) => (
              <tr>
                <th scope="row">
                  <a href={paths.experiment(experiment.id)}>{experiment.name}</a>
                </th>
                <td>
                  <StatusBadge status={experiment.status} />
                  {experiment.lockedAt ? <span class="xp-lock"> locked</span> : null}
                </td>
                <td>{experiment.stepIds.length > 0 ? experiment.stepIds.join(', ') : '—'}</td>
                <td class="xp-num">{experiment.taskCount}</td>
                <td class="xp-num">{experiment.variantCount}</td>
                <td>
                  {experiment.latestRun
                    ? `${experiment.latestRun.isBaseline ? 'Baseline' : 'Variant'} #${experiment.latestRun.number}: ${statusLabel(experiment.latestRun.status)}`
                    : '—'}
                </td>
                <td>
                  <time datetime={isoTime(experiment.createdAt)}>{dateTime(experiment.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
