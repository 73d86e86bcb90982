import { formatChange } from '../plugin/domain/variant-tree.js';
import type { CompareSide, VariantComparison } from '../plugin/operations/compare-variants.js';
import { cost, duration, percent, signedPoints } from './format.js';
import { SelectField } from './form-fields.js';
import { PassRateBar } from './pass-rate-bar.js';
import { StatusBadge } from './status-badge.js';
import type { BreakdownRow } from './task-breakdown-page.js';
import type { ViewPaths } from './view-paths.js';

/** The comparison an operation computed, and where the tab's pages are. */
export type ComparePageProps = VariantComparison & { paths: ViewPaths };

const rate = (side: CompareSide) => (side.passRate === null ? '—' : percent(side.passRate));

function FlipList({ id, title, rows, more, a, b }: { id: string; title: string; rows: BreakdownRow[]; more: boolean; a: CompareSide; b: CompareSide }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} ({rows.length}
        {more ? '+' : ''})
      </h2>
      {rows.length === 0 ? (
        <p class="xp-muted">None.</p>
      ) : (
        <table class="xp-table">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">{a.name}</th>
              <th scope="col">{b.name}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <th scope="row">
                  {row.taskTitle ?? row.taskId}
                  {row.taskRepeats > 1 ? <span class="xp-muted"> · repeat {row.repeat + 1}</span> : null}
                </th>
                <td class="xp-nowrap">
                  {row.baseline ? <StatusBadge status={row.baseline.status} /> : '—'}
                  {row.baselineTraceUrl ? (
                    <>
                      {' '}
                      <a href={row.baselineTraceUrl}>
                        trace<span class="xp-visually-hidden"> with {a.name}</span>
                      </a>
                    </>
                  ) : null}
                </td>
                <td class="xp-nowrap">
                  <StatusBadge status={row.status} />
                  {row.traceUrl ? (
                    <>
                      {' '}
                      <a href={row.traceUrl}>
                        trace<span class="xp-visually-hidden"> with {b.name}</span>
                      </a>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more ? <p class="xp-hint">Only the first {rows.length} are listed.</p> : null}
    </section>
  );
}

/** Any two variants side by side: their figures, and the tasks that passed with one and failed with the other. */
export function ComparePage({ paths, experiment, options, a, b, pairs, regressed, improved, moreRegressed, moreImproved }: ComparePageProps) {
  const metrics: Array<[string, (side: CompareSide) => unknown]> = [
    ['Change', (side) => (side.change ? <code class="xp-change">{formatChange(side.change)}</code> : 'baseline')],
    ['Run', (side) => <>#{side.runNumber} <StatusBadge status={side.status} /></>],
    [
      'Pass rate (95% interval)',
      (side) =>
        side.passRate === null ? (
          '—'
        ) : (
          <div class="xp-rate">
            <PassRateBar passRate={side.passRate} interval={side.interval} />
            <span>
              <strong>{rate(side)}</strong>
              {side.interval ? <span class="xp-muted xp-small"> ({percent(side.interval.low)}–{percent(side.interval.high)})</span> : null}
            </span>
          </div>
        ),
    ],
    ['Passed', (side) => `${side.passed}/${side.total}`],
    ['Failed', (side) => side.failed],
    ['Errored', (side) => side.errored],
    ['Timed out', (side) => side.timedOut],
    ['Latency p50 / p95', (side) => `${duration(side.latencyP50)} / ${duration(side.latencyP95)}`],
    ['Cost', (side) => cost(side.cost)],
  ];
  return (
    <section aria-labelledby="compare-heading">
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a> / <a href={paths.experiment(experiment.id)}>{experiment.name}</a>
      </p>
      <h1 id="compare-heading">Compare two variants</h1>
      <form method="get" action={paths.compare(experiment.id)} class="xp-inline-form">
        <SelectField id="compare-a" name="a" label="Variant A" value={a?.variantId} options={options.map((o) => [o.variantId, o.name] as const)} />
        <SelectField id="compare-b" name="b" label="Variant B" value={b?.variantId} options={options.map((o) => [o.variantId, o.name] as const)} />
        <button type="submit" class="xp-button">
          Compare
        </button>
      </form>
      {a && b ? (
        <>
          <table class="xp-table xp-compare">
            <caption class="xp-visually-hidden">
              {a.name} compared with {b.name}
            </caption>
            <thead>
              <tr>
                <td></td>
                <th scope="col">A: {a.name}</th>
                <th scope="col">B: {b.name}</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map(([label, cell]) => (
                <tr>
                  <th scope="row">{label}</th>
                  <td>{cell(a)}</td>
                  <td>{cell(b)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {pairs ? (
            <p>
              {a.passRate !== null && b.passRate !== null ? <>B is {signedPoints((b.passRate - a.passRate) * 100)} against A. </> : null}
              Over the {pairs.pairs} tasks both runs finished, {pairs.regressions} passed with A and failed with B, and {pairs.improvements}{' '}
              failed with A and passed with B (exact McNemar p = {pairs.pValue < 0.001 ? '< 0.001' : pairs.pValue.toFixed(3)}).
            </p>
          ) : null}
          <div class="xp-sides">
            <FlipList id="flips-regressed" title="Passed with A, failed with B" rows={regressed} more={moreRegressed} a={a} b={b} />
            <FlipList id="flips-improved" title="Failed with A, passed with B" rows={improved} more={moreImproved} a={a} b={b} />
          </div>
        </>
      ) : (
        <p class="xp-empty">Pick two variants that have run.</p>
      )}
    </section>
  );
}
