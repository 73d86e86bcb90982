import { formatChange } from '../plugin/domain/variant-tree.js';
import { cost, dateTime, duration, percent, signedPercent, signedPoints, statusLabel } from './format.js';
import { PassRateBar } from './pass-rate-bar.js';
import type { ExperimentResults as ResultsData, VariantResult as VariantResultRow } from '../plugin/operations/experiment-results.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';

const verdictLabels = { better: 'Better', worse: 'Worse', no_difference: 'No clear difference' } as const;

function Comparison({ row }: { row: VariantResultRow }) {
  if (row.isBaseline) return <span class="xp-muted">baseline</span>;
  const comparison = row.vsBaseline;
  if (!comparison) return <span class="xp-muted">not compared yet</span>;
  return (
    <>
      <span class="xp-nowrap">{signedPoints(comparison.points)}</span>
      {comparison.relative === null ? null : <span class="xp-muted xp-nowrap"> ({signedPercent(comparison.relative)})</span>}
      <br />
      <span class="xp-muted xp-small xp-nowrap">
        95% CI {signedPoints(comparison.interval.low * 100)} to {signedPoints(comparison.interval.high * 100)}
      </span>
      <br />
      <span class="xp-muted xp-small">
        {comparison.regressions} tasks regressed, {comparison.improvements} improved, of {comparison.pairedTasks}
      </span>
    </>
  );
}

const pText = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
const methodLabels = { exact_mcnemar: 'exact McNemar', exact_permutation: 'exact permutation', normal_approximation: 'permutation, normal approx.' } as const;

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

/** The results table alone, replaced live while a run is going (htmx out-of-band, with the run's progress). */
export function ResultsSection({ paths, experimentId, results, live }: { paths: ViewPaths; experimentId: string; results: ResultsData | null; live?: boolean }) {
  return (
    <div id="results-table" hx-swap-oob={live ? 'true' : undefined}>
      {results ? <ResultsTable paths={paths} experimentId={experimentId} results={results} /> : <p class="xp-field-error">The results could not be read.</p>}
    </div>
  );
}

function detectableText(detectable: NonNullable<ResultsData['detectableDifference']>): string {
  const size = detectable.improvement ?? detectable.regression;
  if (size === null) return `With ${detectable.tasks} tasks, no change is likely to be detected (80% power).`;
  return `With ${detectable.tasks} tasks and ${detectable.variants} variant${detectable.variants === 1 ? '' : 's'}, differences smaller than about ${(size * 100).toFixed(1)} points are unlikely to be detected (80% power).`;
}

/** Per variant: pass rate with its interval, change against the baseline, verdict, test counts, latency, cost. */
export function ResultsTable({ paths, experimentId, results }: { paths: ViewPaths; experimentId: string; results: ResultsData }) {
  const rows = results.variants.filter((row) => row.runId !== null);
  if (rows.length === 0) {
    return <p class="xp-empty">No results yet: run the baseline to see its pass rate here.</p>;
  }
  return (
    <div class="xp-scroll">
      <table class="xp-table xp-results">
        <caption class="xp-visually-hidden">Results per variant</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Pass rate (95% interval)</th>
            <th scope="col">vs baseline</th>
            <th scope="col">Verdict</th>
            <th scope="col">Tests</th>
            <th scope="col">Repeats</th>
            <th scope="col" class="xp-num">
              Latency p50 / p95
            </th>
            <th scope="col" class="xp-num">
              Cost
            </th>
            <th scope="col">Completed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr data-variant-id={row.variantId}>
              <th scope="row">
                <span>{row.name}</span>
                {row.change ? (
                  <>
                    <br />
                    <code class="xp-change">{formatChange(row.change)}</code>
                  </>
                ) : null}
                <br />
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
              <td>
                {row.vsBaseline ? (
                  <>
                    <StatusBadge status={row.vsBaseline.verdict} label={verdictLabels[row.vsBaseline.verdict]} />
                    <br />
                    <span class="xp-muted xp-small xp-nowrap">
                      p (Holm) {pText(row.vsBaseline.pAdjusted)}, {methodLabels[row.vsBaseline.method]}
                    </span>
                  </>
                ) : (
                  <span class="xp-muted">—</span>
                )}
              </td>
              <td>
                <strong>{row.passed}</strong>/{row.total - row.pending - row.notRun} passed
                <br />
                <span class="xp-small">
                  {row.failed} failed · {row.errored} errored · {row.timedOut} timed out
                </span>
                {row.pending > 0 || row.notRun > 0 ? (
                  <>
                    <br />
                    <span class="xp-small xp-muted" data-not-counted="true">
                      {row.pending > 0 ? `${row.pending} pending` : ''}
                      {row.pending > 0 && row.notRun > 0 ? ' · ' : ''}
                      {row.notRun > 0 ? `${row.notRun} not run` : ''} (not counted)
                    </span>
                  </>
                ) : null}
              </td>
              <td class="xp-small">
                {row.repeats ?? 1}× per task
                <br />
                <span class="xp-muted">rule: {row.taskRule ?? 'all'}</span>
                <br />
                <Flakiness row={row} />
              </td>
              <td class="xp-num xp-nowrap">
                {duration(row.latency.p50)} / {duration(row.latency.p95)}
              </td>
              <td class="xp-num">{cost(row.cost)}</td>
              <td class="xp-small">{row.completedAt ? dateTime(row.completedAt) : row.status ? statusLabel(row.status) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="xp-hint">
        Pass rates are the mean over tasks of each task's share of passing repeats; pending and not-run tests count nowhere. Each
        variant is compared with the baseline over the tasks both finished (exact McNemar test when both ran each task once, an exact
        permutation test on the tasks' pass fractions with repeats), Holm-corrected across variants.
        {results.detectableDifference ? <> {detectableText(results.detectableDifference)}</> : null}
      </p>
    </div>
  );
}
