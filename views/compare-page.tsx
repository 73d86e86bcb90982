import { formatChange } from '../plugin/domain/variant-tree.js';
import type { CompareSide, FlippedTask, VariantComparison } from '../plugin/operations/compare-variants.js';
import { cost, duration, percent, signedPercent, signedPoints } from './format.js';
import { SelectField } from './form-fields.js';
import { PassRateBar } from './pass-rate-bar.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';

/** The comparison an operation computed, and where the tab's pages are. */
export type ComparePageProps = VariantComparison & { paths: ViewPaths };

const rate = (side: CompareSide) => (side.passRate === null ? '—' : percent(side.passRate));

const fraction = (value: number) => percent(value, 0);

function FlipList({ id, title, rows, more, a, b }: { id: string; title: string; rows: FlippedTask[]; more: boolean; a: CompareSide; b: CompareSide }) {
  const repeated = (a.repeats ?? 1) > 1 || (b.repeats ?? 1) > 1;
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
              <tr data-task-id={row.taskId}>
                <th scope="row">{row.title ?? row.taskId}</th>
                <td class="xp-nowrap">{repeated ? `${fraction(row.a)} of repeats passed` : <StatusBadge status={row.a === 1 ? 'passed' : 'failed'} />}</td>
                <td class="xp-nowrap">{repeated ? `${fraction(row.b)} of repeats passed` : <StatusBadge status={row.b === 1 ? 'passed' : 'failed'} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more ? <p class="xp-hint">Only the first {rows.length} are listed.</p> : null}
    </section>
  );
}

const pText = (p: number) => (p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`);
const methodText = { exact_mcnemar: 'exact McNemar test', exact_permutation: 'exact permutation test on the tasks’ pass fractions', normal_approximation: 'permutation test on the tasks’ pass fractions, normal approximation' } as const;

/** Any two variants side by side: their figures, and the tasks that passed with one and failed with the other. */
export function ComparePage({ paths, experiment, options, a, b, pair, regressed, improved, moreRegressed, moreImproved }: ComparePageProps) {
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
    ['Passed', (side) => `${side.passed}/${side.total - side.pending - side.notRun} tests`],
    ['Failed', (side) => side.failed],
    ['Errored', (side) => side.errored],
    ['Timed out', (side) => side.timedOut],
    ['Not run (not counted)', (side) => side.notRun + side.pending],
    ['Repeats per task (rule)', (side) => `${side.repeats ?? 1} (${side.taskRule ?? 'all'})`],
    ['pass^k', (side) => (side.flakiness && side.flakiness.k > 1 && side.flakiness.passHatK !== null ? `pass^${side.flakiness.k} ${percent(side.flakiness.passHatK)}` : '—')],
    ['Latency p50 / p95', (side) => `${duration(side.latency.p50)} / ${duration(side.latency.p95)}`],
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
          {pair ? (
            <p data-points={pair.points.toFixed(6)}>
              Over the {pair.tasks} tasks both runs finished, B is {signedPoints(pair.points)} against A
              {pair.relative === null ? '' : ` (${signedPercent(pair.relative)})`}, 95% CI {signedPoints(pair.interval.low * 100)} to{' '}
              {signedPoints(pair.interval.high * 100)}: {pair.regressions} tasks passed less often with B than with A, and {pair.improvements} more
              often ({methodText[pair.method]}, p {pText(pair.pValue)}
              {pair.pAdjusted === null ? '; not Holm-adjusted: neither is the baseline' : `, p (Holm) ${pText(pair.pAdjusted)}`}).
            </p>
          ) : (
            <p class="xp-muted">No task was finished by both runs, so they cannot be compared yet.</p>
          )}
          <div class="xp-sides">
            <FlipList id="flips-regressed" title="Passed less often with B than with A" rows={regressed} more={moreRegressed} a={a} b={b} />
            <FlipList id="flips-improved" title="Passed more often with B than with A" rows={improved} more={moreImproved} a={a} b={b} />
          </div>
        </>
      ) : (
        <p class="xp-empty">Pick two variants that have run.</p>
      )}
    </section>
  );
}
