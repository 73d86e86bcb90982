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
      <span class="xp-muted xp-small">
        {comparison.regressions} regressed, {comparison.improvements} improved
      </span>
    </>
  );
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
                {row.status && row.status !== 'completed' ? (
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
                  <StatusBadge status={row.vsBaseline.verdict} label={verdictLabels[row.vsBaseline.verdict]} />
                ) : (
                  <span class="xp-muted">—</span>
                )}
              </td>
              <td>
                <strong>{row.passed}</strong>/{row.total} passed
                <br />
                <span class="xp-small">
                  {row.failed} failed · {row.errored} errored · {row.timedOut} timed out
                </span>
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
      {results.minimumDetectableDifference === null ? null : (
        <p class="xp-hint">
          Verdicts come from a paired exact McNemar test against the baseline on the same tasks, Holm-corrected across variants. With
          this task set, differences smaller than about {(results.minimumDetectableDifference * 100).toFixed(1)} points are unlikely
          to be detected.
        </p>
      )}
    </div>
  );
}
