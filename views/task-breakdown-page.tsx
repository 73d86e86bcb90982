import type { RunTestRow } from '../plugin/operations/run-tests.js';
import { CostFigure } from './cost-figure.js';
import { duration } from './format.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';
import { wordDiffSides } from './word-diff.js';

/** The filters of the breakdown, each a query of the tests of a run. */
export const breakdownFilters = {
  all: { label: 'All tests' },
  regressed: { label: 'Regressions', flip: 'regressed' },
  improved: { label: 'Improvements', flip: 'improved' },
  errored: { label: 'Errors', status: 'errored' },
  timed_out: { label: 'Timed out', status: 'timed_out' },
  failed: { label: 'Failed', status: 'failed' },
  flaky: { label: 'Flaky tasks', flaky: true },
  not_run: { label: 'Not run', status: 'not_run' },
} as const;
export type BreakdownFilter = keyof typeof breakdownFilters;

/** The filters a run's breakdown offers: without a baseline run to set it against, no flips. */
export const shownFilters = (hasBaseline: boolean): BreakdownFilter[] =>
  (Object.keys(breakdownFilters) as BreakdownFilter[]).filter((key) => hasBaseline || (key !== 'regressed' && key !== 'improved'));

/** One test as the breakdown shows it, with links to its traces in the host and the webhook body it was sent. */
export type BreakdownRow = RunTestRow & { payload: unknown };

export interface TaskBreakdownProps {
  paths: ViewPaths;
  experiment: { id: string; name: string };
  run: { runId: string; number: number; isBaseline: boolean; variantName: string; status: string };
  /** The baseline run the tests are set beside; null for the baseline's own runs or before it has completed. */
  baselineRun: { runId: string; number: number } | null;
  filter: BreakdownFilter;
  /** How many tests each filter shown keeps. */
  counts: Partial<Record<BreakdownFilter, number>>;
  rows: BreakdownRow[];
  /** The page shown (1-based) of how many, and where the next one starts. */
  page: number;
  pages: number;
  nextAfter: number | null;
}

/** The page numbers to link: all of a few, else the first, the last and those around the current one (null: a gap). */
export function pageNumbers(page: number, pages: number): Array<number | null> {
  if (pages <= 12) return Array.from({ length: pages }, (_, index) => index + 1);
  const shown = [...new Set([1, 2, page - 2, page - 1, page, page + 1, page + 2, pages - 1, pages])]
    .filter((n) => n >= 1 && n <= pages)
    .sort((a, b) => a - b);
  return shown.flatMap((n, index) => (index > 0 && n - shown[index - 1]! > 1 ? [null, n] : [n]));
}

function Output({ label, parts, empty }: { label: string; parts: unknown[]; empty: boolean }) {
  return (
    <div class="xp-output">
      <h3>{label}</h3>
      {empty ? <p class="xp-muted">No output</p> : <pre>{parts}</pre>}
    </div>
  );
}

const tally = (passes: number, finished: number) => (finished === 0 ? 'none finished' : `${passes}/${finished}`);

function TestCard({ row, hasBaseline, runLabel, paths }: { row: BreakdownRow; hasBaseline: boolean; runLabel: string; paths: ViewPaths }) {
  const baselineOutput = row.baseline?.output ?? '';
  const ownOutput = row.output ?? '';
  const sides = hasBaseline ? wordDiffSides(baselineOutput, ownOutput) : { before: [], after: [ownOutput], diffed: false };
  const title = row.taskTitle ?? row.taskId;
  return (
    <article class="xp-test" data-test-id={row.testId} aria-labelledby={`test-${row.position}`}>
      <header class="xp-test-head">
        <h2 id={`test-${row.position}`}>
          {title}
          {row.taskRepeats > 1 ? <span class="xp-muted"> · repeat {row.repeat + 1}</span> : null}
        </h2>
        <p class="xp-status-line">
          {hasBaseline ? (
            <>
              Baseline {row.baseline ? <StatusBadge status={row.baseline.status} /> : <span class="xp-muted">no test of this repeat</span>}{' '}
              → {runLabel}{' '}
            </>
          ) : null}
          <StatusBadge status={row.status} />
          {row.notRunReason ? <span class="xp-muted xp-small"> ({row.notRunReason.replaceAll('_', ' ')}; not counted)</span> : null}
          {row.flip && row.flip !== 'unchanged' ? <StatusBadge status={row.flip} /> : null}
          {row.attempt > 1 ? <span class="xp-muted xp-small"> attempt {row.attempt}</span> : null}
        </p>
        <p class="xp-muted xp-small" data-task-fractions="true">
          Task: {tally(row.taskPasses, row.taskFinished)} repeats passed
          {hasBaseline ? <>, baseline {row.baselineTask ? tally(row.baselineTask.passes, row.baselineTask.finished) : 'not run'}</> : null}
          {row.taskFinished > 1 && row.taskPasses > 0 && row.taskPasses < row.taskFinished ? ' · flaky' : ''}
        </p>
      </header>
      {row.error ? <p class="xp-field-error">{row.error}</p> : null}
      <div class={hasBaseline ? 'xp-sides' : undefined}>
        {hasBaseline ? <Output label="Baseline output" parts={sides.before} empty={baselineOutput === ''} /> : null}
        <Output label={`${runLabel} output`} parts={sides.after} empty={ownOutput === ''} />
      </div>
      {sides.diffed ? (
        <p class="xp-hint">Words only in the baseline's output are struck through; words only in this run's output are underlined.</p>
      ) : null}
      {row.payload ? (
        <details class="xp-payload">
          <summary>Webhook payload and overrides sent</summary>
          <pre class="xp-code" tabindex={0}>
            {JSON.stringify(row.payload, null, 2)}
          </pre>
        </details>
      ) : null}
      {row.evaluations.length > 0 ? (
        <table class="xp-table xp-evaluations">
          <caption class="xp-visually-hidden">Evaluations of {title}</caption>
          <thead>
            <tr>
              <th scope="col">Evaluator</th>
              <th scope="col">Result</th>
              <th scope="col" class="xp-num">
                Score
              </th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {row.evaluations.map((evaluation) => (
              <tr>
                <td>
                  <code>{evaluation.evaluator}</code>
                </td>
                <td>
                  <StatusBadge status={evaluation.outcome} />
                </td>
                <td class="xp-num">{evaluation.score === null ? '—' : evaluation.score.toFixed(2)}</td>
                <td>{evaluation.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p class="xp-muted xp-small">
        Latency {duration(row.latencyMs)} · tokens {row.inputTokens ?? '—'} in / {row.outputTokens ?? '—'} out · cost{' '}
        <CostFigure paths={paths} figures={{ cost: row.cost, costUnknown: row.costNote ? 1 : 0, costNotes: row.costNote ? [row.costNote] : [] }} />
        {row.overrideMismatches && row.overrideMismatches.length > 0 ? ' · the trace shows an override that was not applied' : ''}
        {row.traceUrl ? (
          <>
            {' · '}
            <a href={row.traceUrl}>Trace</a>
          </>
        ) : null}
        {row.baselineTraceUrl ? (
          <>
            {' · '}
            <a href={row.baselineTraceUrl}>Baseline trace</a>
          </>
        ) : null}
      </p>
    </article>
  );
}

/** Each test of a run beside the baseline's test of the same task: results, outputs with a word diff, evaluator reasons. */
export function TaskBreakdownPage({
  paths,
  experiment,
  run,
  baselineRun,
  filter,
  counts,
  rows,
  page,
  pages,
  nextAfter,
}: TaskBreakdownProps) {
  const runLabel = run.isBaseline ? 'Baseline' : run.variantName;
  const filters = shownFilters(baselineRun !== null);
  const link = (extra: Record<string, string | undefined>) =>
    paths.tests(experiment.id, run.runId, { filter: filter === 'all' ? undefined : filter, ...extra });
  return (
    <section aria-labelledby="breakdown-heading">
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a> / <a href={paths.experiment(experiment.id)}>{experiment.name}</a>
      </p>
      <h1 id="breakdown-heading">
        Task breakdown: {runLabel}, run #{run.number}
      </h1>
      <p class="xp-muted">
        <StatusBadge status={run.status} />{' '}
        {baselineRun
          ? `Each test beside the baseline's run #${baselineRun.number} on the same task.`
          : run.isBaseline
            ? 'The baseline’s own tests.'
            : 'The baseline has no completed run to compare with yet.'}
      </p>
      <nav class="xp-filter" aria-label="Filter tests">
        {filters.map((key) => (
          <a
            href={paths.tests(experiment.id, run.runId, { filter: key === 'all' ? undefined : key })}
            aria-current={key === filter ? 'page' : undefined}
          >
            {breakdownFilters[key].label} <span class="xp-count">({counts[key] ?? 0})</span>
          </a>
        ))}
      </nav>
      {rows.length === 0 ? (
        <p class="xp-empty">No test matches this filter{page > 1 ? ' on this page' : ''}.</p>
      ) : (
        rows.map((row) => <TestCard row={row} hasBaseline={baselineRun !== null} runLabel={runLabel} paths={paths} />)
      )}
      {pages > 1 || nextAfter !== null ? (
        <nav class="xp-pages" aria-label="Pages">
          <p class="xp-muted xp-small">
            Page {page} of {pages}
          </p>
          <ul class="xp-page-list">
            {page > 1 ? (
              <li>
                <a class="xp-button" href={link({ page: String(page - 1) })}>
                  Previous page
                </a>
              </li>
            ) : null}
            {pageNumbers(page, pages).map((n) =>
              n === null ? (
                <li aria-hidden="true">…</li>
              ) : (
                <li>
                  <a
                    class="xp-button"
                    href={link({ page: String(n) })}
                    aria-current={n === page ? 'page' : undefined}
                    aria-label={`Page ${n}`}
                  >
                    {n}
                  </a>
                </li>
              ),
            )}
            {nextAfter !== null ? (
              <li>
                <a class="xp-button" href={link({ after: String(nextAfter) })}>
                  Next page
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </section>
  );
}
