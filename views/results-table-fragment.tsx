import { formatChange } from '../plugin/domain/variant-tree.js';
import { CostFigure } from './cost-figure.js';
import { dateTime, duration, intervalLabel, percent, signedPercent, signedPoints, statusLabel } from './format.js';
import { PassRateChart, PassRateScatter } from './results-charts.js';
import { sortParameter, sortResults, type ResultsSort, type ResultsSortKey } from './results-sort.js';
import { PassRateBar } from './pass-rate-bar.js';
import type { ExperimentResults as ResultsData, VariantResult as VariantResultRow } from '../plugin/operations/experiment-results.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';

const verdictLabels = { better: 'Better', worse: 'Worse', no_difference: 'No clear difference' } as const;

const pText = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
const methodLabels = { exact_mcnemar: 'exact McNemar', exact_permutation: 'exact permutation', normal_approximation: 'permutation, normal approx.' } as const;

/** Why a run that could stop once decided is judged by another test than a run of fixed size: one line, for a tooltip and a footnote. */
export const sequentialNote =
  'the run could stop once its verdict was decided, so its p-value is the anytime-valid one of a sequential test, valid however often the results were looked at; a fixed-size test’s would not be.';

// The test a verdict comes from: the anytime-valid sequential one for a run that could stop once decided.
function MethodLabel({ comparison }: { comparison: NonNullable<VariantResultRow['vsBaseline']> }) {
  if (!comparison.sequential) return <>{methodLabels[comparison.method]}</>;
  return (
    <span class="xp-sequential" title={sequentialNote} aria-describedby="sequential-note" data-sequential={comparison.sequential}>
      anytime-valid sequential test<sup aria-hidden="true">†</sup>
    </span>
  );
}

// The change against the baseline and the verdict on it, in one cell: the table stays narrow enough to read whole.
function Comparison({ row }: { row: VariantResultRow }) {
  if (row.isBaseline) return <span class="xp-muted">baseline</span>;
  const comparison = row.vsBaseline;
  if (!comparison) return <span class="xp-muted">not compared yet</span>;
  return (
    <>
      <StatusBadge status={comparison.verdict} label={verdictLabels[comparison.verdict]} />{' '}
      <span class="xp-nowrap">{signedPoints(comparison.points)}</span>
      {comparison.relative === null ? null : <span class="xp-muted xp-nowrap"> ({signedPercent(comparison.relative)})</span>}
      <br />
      {/* The longer anytime label may wrap: the table must still fit a laptop screen. */}
      <span class={comparison.intervalKind === 'anytime_valid' ? 'xp-muted xp-small' : 'xp-muted xp-small xp-nowrap'}>
        {intervalLabel(comparison.intervalKind)} {signedPoints(comparison.interval.low * 100)} to {signedPoints(comparison.interval.high * 100)}
      </span>
      <br />
      <span class="xp-muted xp-small">
        {comparison.regressions} tasks regressed, {comparison.improvements} improved, of {comparison.pairedTasks}; p (Holm) {pText(comparison.pAdjusted)},{' '}
        <MethodLabel comparison={comparison} />
      </span>
    </>
  );
}


// pass^k and the share of tasks whose repeats disagree; only meaningful with repeats.
function Flakiness({ row }: { row: VariantResultRow }) {
  const flaky = row.flakiness;
  if (!flaky || flaky.k < 2) return <span class="xp-muted">1 repeat</span>;
  return (
    <>
      <span class="xp-nowrap">pass^{flaky.k} {flaky.passHatK === null ? '—' : percent(flaky.passHatK)}</span>
      <br />
      <span class="xp-muted xp-small">{flaky.flakyShare === null ? '—' : percent(flaky.flakyShare)} of tasks flaky</span>
    </>
  );
}

/** Where the results can be downloaded from the tab: CSV for a spreadsheet, Markdown for a pull request or a chat. */
export const resultsExportPath = (paths: ViewPaths, experimentId: string, format: 'csv' | 'md') => `${paths.experiment(experimentId)}/results.${format}`;

/** The results table alone, replaced live while a run is going (htmx out-of-band, with the run's progress). */
export function ResultsSection({ paths, experimentId, results, live, sort = null }: { paths: ViewPaths; experimentId: string; results: ResultsData | null; live?: boolean; sort?: ResultsSort | null }) {
  return (
    <div id="results-table" hx-swap-oob={live ? 'true' : undefined}>
      {results ? <ResultsTable paths={paths} experimentId={experimentId} results={results} sort={sort} /> : <p class="xp-field-error">The results could not be read.</p>}
    </div>
  );
}

function detectableText(detectable: NonNullable<ResultsData['detectableDifference']>): string {
  const size = detectable.improvement ?? detectable.regression;
  if (size === null) return `With ${detectable.tasks} tasks, no change is likely to be detected (80% power).`;
  return `With ${detectable.tasks} tasks and ${detectable.variants} variant${detectable.variants === 1 ? '' : 's'}, differences smaller than about ${(size * 100).toFixed(1)} points are unlikely to be detected (80% power).`;
}

// Figures that are better high are sorted high first on the first click; the rest low first.
const descendingFirst: ReadonlySet<ResultsSortKey> = new Set(['passRate', 'change']);

const sortLabels: Record<'ascending' | 'descending', string> = { ascending: 'ascending', descending: 'descending' };

/** A column header that sorts the table by its figure: a link, so a keyboard and a screen reader use it as any other. */
function SortHeader({ label, column, sort, href, numeric }: { label: string; column: ResultsSortKey; sort: ResultsSort | null; href: (sort: ResultsSort) => string; numeric?: boolean }) {
  const active = sort?.key === column;
  const descending = active ? !sort.descending : descendingFirst.has(column);
  const direction = active ? (sort.descending ? 'descending' : 'ascending') : undefined;
  return (
    <th scope="col" class={numeric ? 'xp-num' : undefined} aria-sort={direction}>
      <a class="xp-sort" href={href({ key: column, descending })} data-sort-key={column}>
        {label}
        {direction ? <span aria-hidden="true">{direction === 'descending' ? ' ▼' : ' ▲'}</span> : null}
        <span class="xp-visually-hidden">, sort {sortLabels[descending ? 'descending' : 'ascending']}</span>
      </a>
    </th>
  );
}

/** Only the outcomes that happened, on one line: "2 failed · 1 timed out". */
function outcomeLine(row: VariantResultRow): string {
  const parts = [
    [row.failed, 'failed'],
    [row.errored, 'errored'],
    [row.timedOut, 'timed out'],
  ] as const;
  const shown = parts.filter(([count]) => count > 0).map(([count, label]) => `${count} ${label}`);
  return shown.length === 0 ? 'none failed' : shown.join(' · ');
}

const stopLabels = { stopped_early: 'stopped early', budget_reached: 'budget reached' } as const;

/** Tests counted in no figure: "3 pending · 426 not run (stopped early), not counted". */
function notCountedLine(row: VariantResultRow): string {
  // Tests not sent after the run's stop are not_run; any others (e.g. a cancelled run's) are listed apart.
  const stopped = row.stopped ? Math.min(row.stopped.notSent, row.notRun) : 0;
  const parts = [
    row.pending > 0 ? `${row.pending} pending` : null,
    stopped > 0 ? `${stopped} not run (${stopLabels[row.stopped!.reason]})` : null,
    row.notRun - stopped > 0 ? `${row.notRun - stopped} not run` : null,
  ].filter((part) => part !== null);
  // "(stopped early) (not counted)" would stack brackets.
  return `${parts.join(' · ')}${parts.at(-1)?.endsWith(')') ? ', not counted' : ' (not counted)'}`;
}

const tokenCount = (value: number | null) => (value === null ? '—' : value.toLocaleString('en-US'));

/** Latency, tokens and cost of each inference step, per variant: a table of its own beside the results, one row per step. */
function StepTable({ rows, paths }: { rows: readonly VariantResultRow[]; paths: ViewPaths }) {
  const withSteps = rows.filter((row) => row.steps.length > 0);
  if (withSteps.length === 0) return null;
  return (
    <section class="xp-steps" aria-labelledby="steps-heading">
      <h3 id="steps-heading">Per step</h3>
      <div class="xp-scroll">
        <table class="xp-table xp-step-table">
          <caption class="xp-visually-hidden">Latency, tokens and cost of each inference step, per variant</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Step</th>
              <th scope="col" class="xp-num">
                Tests
              </th>
              <th scope="col" class="xp-num">
                Latency p50 / p95
              </th>
              <th scope="col" class="xp-num">
                Tokens in / out
              </th>
              <th scope="col" class="xp-num">
                Cost
              </th>
            </tr>
          </thead>
          {withSteps.map((row) => (
            <tbody data-variant-id={row.variantId}>
              {row.steps.map((step, index) => (
                <tr data-step={step.step}>
                  {index === 0 ? (
                    <th scope="rowgroup" rowspan={row.steps.length}>
                      {row.name}
                    </th>
                  ) : null}
                  <th scope="row">
                    <code>{step.step}</code>
                  </th>
                  <td class="xp-num">{step.tests}</td>
                  <td class="xp-num xp-nowrap">
                    {duration(step.latency.p50)} / {duration(step.latency.p95)}
                  </td>
                  <td class="xp-num xp-nowrap">
                    {tokenCount(step.tokens.input)} / {tokenCount(step.tokens.output)}
                  </td>
                  <td class="xp-num" data-cost={step.cost ?? ''}>
                    <CostFigure figures={step} paths={paths} />
                  </td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </section>
  );
}

/** Per variant: pass rate with its interval, change against the baseline, verdict, test counts, latency, tokens, cost. */
export function ResultsTable({ paths, experimentId, results, sort = null }: { paths: ViewPaths; experimentId: string; results: ResultsData; sort?: ResultsSort | null }) {
  const ran = results.variants.filter((row) => row.runId !== null);
  if (ran.length === 0) {
    return <p class="xp-empty">No results yet: run the baseline to see its pass rate here.</p>;
  }
  const rows = sortResults(ran, sort);
  const sortHref = (next: ResultsSort) => `${paths.experiment(experimentId)}?sort=${sortParameter(next)}#results-table`;
  const header = (label: string, column: ResultsSortKey, numeric = false) => <SortHeader label={label} column={column} sort={sort} href={sortHref} numeric={numeric} />;
  return (
    <>
      <div class="xp-scroll">
        <table class="xp-table xp-results">
          <caption class="xp-visually-hidden">Results per variant{sort ? `, sorted by ${sort.key} ${sort.descending ? 'descending' : 'ascending'}` : ''}</caption>
          <thead>
            <tr>
              {header('Variant', 'name')}
              {header('Pass rate (95% interval)', 'passRate')}
              {header('vs baseline', 'change')}
              <th scope="col">Tests</th>
              {header('Latency p50 / p95', 'latency', true)}
              {header('Tokens', 'tokens', true)}
              {header('Cost', 'cost', true)}
              {header('Run', 'completed')}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <>
              <tr data-variant-id={row.variantId}>
                <th scope="row">
                  <span>{row.name}</span>
                  {row.changes.length > 0 ? (
                    <ul class="xp-changes" aria-label={`What ${row.name} changes from the baseline`}>
                      {row.changes.map((change) => (
                        <li>
                          <code class="xp-change">{formatChange(change)}</code>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <br />
                  )}
                  {row.runId ? (
                    <a class="xp-small" href={paths.tests(experimentId, row.runId)}>
                      Task breakdown<span class="xp-visually-hidden"> of {row.name}</span>
                    </a>
                  ) : null}
                </th>
                <td>
                  {row.passRate === null ? (
                    <span class="xp-muted">—</span>
                  ) : (
                    <>
                      <div class="xp-rate">
                        <PassRateBar passRate={row.passRate} interval={row.interval} />
                        <strong>{percent(row.passRate)}</strong>
                      </div>
                      {row.interval ? (
                        <span class="xp-muted xp-small">
                          {percent(row.interval.low)}–{percent(row.interval.high)}
                        </span>
                      ) : null}
                    </>
                  )}
                  {row.partial ? (
                    <span class="xp-small" data-partial="true">
                      {' '}
                      <StatusBadge status="partial" label="Partial" /> {row.pending} tests still running
                    </span>
                  ) : row.status && row.status !== 'completed' ? (
                    <span class="xp-small">
                      {' '}
                      run <StatusBadge status={row.status} />
                    </span>
                  ) : null}
                </td>
                <td>
                  <Comparison row={row} />
                </td>
                <td class="xp-tests-cell">
                  <span class="xp-nowrap">
                    <strong>{row.passed}</strong>/{row.total - row.pending - row.notRun} passed
                  </span>
                  <br />
                  <span class="xp-small xp-outcomes">{outcomeLine(row)}</span>
                  {row.pending > 0 || row.notRun > 0 ? (
                    <>
                      <br />
                      <span class="xp-small xp-muted" data-not-counted="true">
                        {notCountedLine(row)}
                      </span>
                    </>
                  ) : null}
                </td>
                <td class="xp-num xp-nowrap">
                  {duration(row.latency.p50)} / {duration(row.latency.p95)}
                </td>
                <td class="xp-num xp-nowrap" data-tokens={row.tokens.total ?? ''}>
                  <span>{tokenCount(row.tokens.total)}</span>
                  {row.tokens.input !== null || row.tokens.output !== null ? (
                    <>
                      <br />
                      <span class="xp-muted xp-small">
                        {tokenCount(row.tokens.input)} in / {tokenCount(row.tokens.output)} out
                      </span>
                    </>
                  ) : null}
                </td>
                <td class="xp-num" data-cost={row.cost ?? ''}>
                  <CostFigure figures={row} paths={paths} />
                </td>
                <td class="xp-small xp-run-cell">
                  <span class="xp-nowrap">
                    #{row.runNumber} · {row.repeats ?? 1}× per task
                  </span>
                  <br />
                  <span class="xp-muted">{row.completedAt ? dateTime(row.completedAt) : row.status ? statusLabel(row.status) : '—'}</span>
                  {(row.repeats ?? 1) > 1 || (row.taskRule ?? 'all') !== 'all' ? (
                    <>
                      <br />
                      <span class="xp-muted">rule: {row.taskRule ?? 'all'}</span>
                      <br />
                      <Flakiness row={row} />
                    </>
                  ) : null}
                </td>
              </tr>
              {row.stopped ? (
                <tr class="xp-stop-row" data-stopped-variant-id={row.variantId} data-stop-reason={row.stopped.reason}>
                  <td colspan={8}>
                    <StatusBadge status="not_run" label={row.stopped.reason === 'budget_reached' ? 'Budget reached' : 'Stopped early'} />{' '}
                    <span class="xp-visually-hidden">{row.name}: </span>
                    {row.stopped.summary}.
                  </td>
                </tr>
              ) : null}
              </>
            ))}
          </tbody>
        </table>
        <p class="xp-hint">
          Pass rates are the mean over tasks of each task's share of passing repeats; pending and not-run tests count nowhere. Each
          variant is compared with the baseline over the tasks both finished (exact McNemar test when both ran each task once, an exact
          permutation test on the tasks' pass fractions with repeats), Holm-corrected across variants. Cost is what the traces' token
          counts cost at the plugin's model prices; where a model has no price the cost says it is unknown, and a cost marked ≥ is
          only what the priced tests cost.
          {results.detectableDifference ? <> {detectableText(results.detectableDifference)}</> : null}
        </p>
        {ran.some((row) => row.vsBaseline?.sequential) ? (
          <p class="xp-hint" id="sequential-note">
            † Anytime-valid sequential test: {sequentialNote}
          </p>
        ) : null}
      </div>
      <StepTable rows={rows} paths={paths} />
      <div class="xp-charts">
        <PassRateChart rows={ran} />
        <PassRateScatter rows={ran} against="cost" />
        <PassRateScatter rows={ran} against="latency" />
      </div>
    </>
  );
}
