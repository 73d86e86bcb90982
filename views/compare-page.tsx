import { formatChange } from '../plugin/domain/variant-tree.js';
import type { ComparePair, CompareSide, FlippedTask, MatrixCell, TaskOutputs, VariantComparison } from '../plugin/operations/compare-variants.js';
import type { RunTestRow } from '../plugin/operations/run-tests.js';
import { CompareChoice } from './compare-choice-fields.js';
import { CostFigure } from './cost-figure.js';
import { duration, intervalLabel, percent, signedPercent, signedPoints, statusLabel } from './format.js';
import { PassRateBar } from './pass-rate-bar.js';
import { sequentialNote } from './results-table-fragment.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';

/** The comparison an operation computed, and where the tab's pages are. */
export type ComparePageProps = VariantComparison & { paths: ViewPaths };

const rate = (side: CompareSide) => (side.passRate === null ? '—' : percent(side.passRate));

const fraction = (value: number) => percent(value, 0);

// Tests counted in no figure, the ones a stop did not send named as such.
function notRunText(side: CompareSide): string {
  const stopped = side.stopped ? Math.min(side.stopped.notSent, side.notRun) : 0;
  const rest = side.notRun + side.pending - stopped;
  if (stopped === 0) return String(rest);
  const why = side.stopped!.reason === 'budget_reached' ? 'budget reached' : 'stopped early';
  return `${stopped} (${why})${rest > 0 ? ` + ${rest}` : ''}`;
}

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

// The test a p-value comes from: against the baseline, a run that could stop once decided is judged by the sequential one.
function MethodText({ pair }: { pair: ComparePair }) {
  if (!pair.sequential) return <>{methodText[pair.method]}</>;
  return (
    <span class="xp-sequential" title={sequentialNote} aria-describedby="compare-sequential-note" data-sequential={pair.sequential}>
      anytime-valid sequential test<sup aria-hidden="true">†</sup>
    </span>
  );
}

const letter = (index: number) => (index < 26 ? String.fromCharCode(65 + index) : `#${index + 1}`);

/** The Compare address for the chosen variants, with the other choices of the page. */
function compareHref(paths: ViewPaths, experimentId: string, sides: readonly CompareSide[], extra: { tasks?: 'all' | undefined; task?: string | undefined; hash?: string }) {
  const params = new URLSearchParams(sides.map((side) => ['v', side.variantId]));
  if (extra.tasks) params.set('tasks', extra.tasks);
  if (extra.task) params.set('task', extra.task);
  return `${paths.compare(experimentId)}?${params.toString()}${extra.hash ? `#${extra.hash}` : ''}`;
}

function Cell({ cell }: { cell: MatrixCell }) {
  if (!cell || cell.finished === 0) return <span class="xp-muted">—</span>;
  // A tally knows passes, not why a test did not pass (failed, errored, timed out): it says only that.
  if (cell.finished === 1) return cell.passes === 1 ? <StatusBadge status="passed" /> : <StatusBadge status="failed" label="Not passed" />;
  return (
    <span class="xp-nowrap">
      {cell.passes}/{cell.finished} passed
    </span>
  );
}

function ChangesCell({ side }: { side: CompareSide }) {
  if (side.changes.length === 0) return <>baseline</>;
  return (
    <ul class="xp-changes">
      {side.changes.map((change) => (
        <li>
          <code class="xp-change">{formatChange(change)}</code>
        </li>
      ))}
    </ul>
  );
}

// The header row of a table with one column per chosen variant, lettered as everywhere on the page.
function SideHeaderRow({ first, sides }: { first: string; sides: readonly CompareSide[] }) {
  return (
    <tr>
      <th scope="col">{first}</th>
      {sides.map((side, index) => (
        <th scope="col">
          {letter(index)}: {side.name}
        </th>
      ))}
    </tr>
  );
}

function OutputColumn({ side, tests, index, paths }: { side: CompareSide; tests: RunTestRow[]; index: number; paths: ViewPaths }) {
  return (
    <section class="xp-output" data-variant-id={side.variantId} aria-label={`Output of ${side.name}`}>
      <h3>
        {letter(index)}: {side.name}
      </h3>
      {tests.length === 0 ? <p class="xp-muted">This run has no test of the task.</p> : null}
      {tests.map((test) => (
        <div class="xp-output-test">
          <p class="xp-small">
            {tests.length > 1 ? `Repeat ${test.repeat + 1}: ` : ''}
            <StatusBadge status={test.status} label={statusLabel(test.status)} /> · {duration(test.latencyMs)} ·{' '}
            <CostFigure figures={{ cost: test.cost, costUnknown: test.cost === null && test.costNote ? 1 : 0, costNotes: test.costNote ? [test.costNote] : [] }} paths={paths} />
            {test.traceUrl ? (
              <>
                {' '}
                · <a href={test.traceUrl}>Trace<span class="xp-visually-hidden"> of {side.name}</span></a>
              </>
            ) : null}
          </p>
          {test.output !== null ? <pre>{test.output}</pre> : <p class="xp-muted">{test.error ?? 'No output.'}</p>}
          {test.evaluations.length > 0 ? (
            <ul class="xp-small xp-evaluation-list">
              {test.evaluations.map((evaluation) => (
                <li>
                  <code>{evaluation.evaluator}</code> <StatusBadge status={evaluation.outcome} /> <span class="xp-muted">{evaluation.reason}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
    </section>
  );
}

function Outputs({ outputs, sides, paths }: { outputs: TaskOutputs; sides: CompareSide[]; paths: ViewPaths }) {
  return (
    <section aria-labelledby="outputs-heading" id="outputs">
      <h2 id="outputs-heading">Outputs for {outputs.title ?? outputs.taskId}</h2>
      <div class="xp-sides">
        {sides.map((side, index) => (
          <OutputColumn side={side} tests={outputs.sides[index] ?? []} index={index} paths={paths} />
        ))}
      </div>
    </section>
  );
}

/** Two or more variants side by side: their figures, the tasks they disagree on, evaluator totals, per-step cost, outputs. */
export function ComparePage(props: ComparePageProps) {
  const { paths, experiment, options, refused, sides, ticked, a, b, pair, againstFirst, regressed, improved, moreRegressed, moreImproved, matrix, evaluators, outputs } = props;
  const metrics: Array<[string, (side: CompareSide) => unknown]> = [
    ['Change from the baseline', (side) => <ChangesCell side={side} />],
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
    ['Not run (not counted)', (side) => notRunText(side)],
    ['Repeats per task (rule)', (side) => `${side.repeats ?? 1} (${side.taskRule ?? 'all'})`],
    ['pass^k', (side) => (side.flakiness && side.flakiness.k > 1 && side.flakiness.passHatK !== null ? `pass^${side.flakiness.k} ${percent(side.flakiness.passHatK)}` : '—')],
    ['Latency p50 / p95', (side) => `${duration(side.latency.p50)} / ${duration(side.latency.p95)}`],
    [
      'Cost (tokens)',
      (side) => (
        <>
          <CostFigure figures={side} paths={paths} /> ({side.tokens.total === null ? '—' : side.tokens.total.toLocaleString('en-US')} tokens)
        </>
      ),
    ],
  ];
  const steps = [...new Set(sides.flatMap((side) => side.steps.map((step) => step.step)))];
  return (
    <section aria-labelledby="compare-heading">
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a> / <a href={paths.experiment(experiment.id)}>{experiment.name}</a>
      </p>
      <h1 id="compare-heading">Compare variants</h1>
      <form method="get" action={paths.compare(experiment.id)} class="xp-compare-form">
        <CompareChoice options={options} chosen={ticked} error={refused ?? undefined} />
        <button type="submit" class="xp-button">
          Compare
        </button>
      </form>
      {a && b ? (
        <>
          <table class="xp-table xp-compare">
            <caption class="xp-visually-hidden">{sides.map((side) => side.name).join(' compared with ')}</caption>
            <thead>
              <tr>
                <td></td>
                {sides.map((side, index) => (
                  <th scope="col" data-variant-id={side.variantId}>
                    {letter(index)}: {side.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {metrics.map(([label, cell]) => (
                <tr>
                  <th scope="row">{label}</th>
                  {sides.map((side) => (
                    <td>{cell(side)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {pair ? (
            <p data-points={pair.points.toFixed(6)}>
              Over the {pair.tasks} tasks both runs finished, B is {signedPoints(pair.points)} against A
              {pair.relative === null ? '' : ` (${signedPercent(pair.relative)})`}, {intervalLabel(pair.intervalKind)} {signedPoints(pair.interval.low * 100)} to{' '}
              {signedPoints(pair.interval.high * 100)}: {pair.regressions} tasks passed less often with B than with A, and {pair.improvements} more
              often (<MethodText pair={pair} />, p {pText(pair.pValue)}
              {pair.pAdjusted === null ? '; not Holm-adjusted: neither is the baseline' : `, p (Holm) ${pText(pair.pAdjusted)}`}).
            </p>
          ) : (
            <p class="xp-muted">No task was finished by both A and B, so they cannot be compared yet.</p>
          )}
          {sides.slice(2).map((side, offset) => {
            const against = againstFirst[offset + 1] ?? null;
            return against ? (
              <p data-variant-id={side.variantId}>
                {letter(offset + 2)} is {signedPoints(against.points)} against A over the {against.tasks} tasks both finished, {intervalLabel(against.intervalKind)}{' '}
                {signedPoints(against.interval.low * 100)} to {signedPoints(against.interval.high * 100)} ({against.regressions} tasks passed less often,{' '}
                {against.improvements} more often; p {pText(against.pValue)}
                {against.sequential ? (
                  <>
                    , <MethodText pair={against} />
                  </>
                ) : null}
                ).
              </p>
            ) : (
              <p class="xp-muted">No task was finished by both A and {letter(offset + 2)}.</p>
            );
          })}
          {[pair, ...againstFirst].some((entry) => entry?.sequential) ? (
            <p class="xp-hint" id="compare-sequential-note">
              † Anytime-valid sequential test: {sequentialNote}
            </p>
          ) : null}
          {sides.some((side) => side.stopped) ? (
            <ul class="xp-stop-lines">
              {sides.map((side, index) =>
                side.stopped ? (
                  <li data-stopped-variant-id={side.variantId}>
                    {letter(index)}: {side.name} stopped sending: {side.stopped.summary}.
                  </li>
                ) : null,
              )}
            </ul>
          ) : null}
          {matrix ? (
            <section aria-labelledby="matrix-heading" id="matrix">
              <h2 id="matrix-heading">Per-task outcomes</h2>
              <nav class="xp-filter" aria-label="Tasks shown">
                <a href={compareHref(paths, experiment.id, sides, { hash: 'matrix' })} aria-current={matrix.all ? undefined : 'page'}>
                  Where they differ ({matrix.differing})
                </a>
                <a href={compareHref(paths, experiment.id, sides, { tasks: 'all', hash: 'matrix' })} aria-current={matrix.all ? 'page' : undefined}>
                  All tasks ({matrix.tasks})
                </a>
              </nav>
              {matrix.rows.length === 0 ? (
                <p class="xp-muted">{matrix.all ? 'No task has finished yet.' : 'The chosen variants passed every task equally often.'}</p>
              ) : (
                <div class="xp-scroll">
                  <table class="xp-table xp-matrix">
                    <caption class="xp-visually-hidden">Outcome of each task with each chosen variant</caption>
                    <thead>
                      <tr>
                        <th scope="col">Task</th>
                        {sides.map((side, index) => (
                          <th scope="col">
                            {letter(index)}: {side.name}
                          </th>
                        ))}
                        <th scope="col">Outputs</th>
                      </tr>
                    </thead>
                    <tbody>
                      {matrix.rows.map((row) => (
                        <tr data-task-id={row.taskId} data-differs={row.differs ? 'true' : 'false'}>
                          <th scope="row">{row.title ?? row.taskId}</th>
                          {row.cells.map((cell) => (
                            <td>
                              <Cell cell={cell} />
                            </td>
                          ))}
                          <td>
                            <a href={compareHref(paths, experiment.id, sides, { tasks: matrix.all ? 'all' : undefined, task: row.taskId, hash: 'outputs' })}>
                              Side by side<span class="xp-visually-hidden"> for {row.title ?? row.taskId}</span>
                            </a>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              {matrix.more ? <p class="xp-hint">Only the first {matrix.rows.length} tasks are listed.</p> : null}
            </section>
          ) : null}
          {outputs ? <Outputs outputs={outputs} sides={sides} paths={paths} /> : null}
          <section aria-labelledby="evaluators-heading">
            <h2 id="evaluators-heading">Per evaluator</h2>
            {evaluators.length === 0 ? (
              <p class="xp-muted">No evaluator has judged these runs' tests.</p>
            ) : (
              <table class="xp-table xp-evaluator-totals">
                <caption class="xp-visually-hidden">Tests each evaluator passed and failed, per variant</caption>
                <thead>
                  <SideHeaderRow first="Evaluator" sides={sides} />
                </thead>
                <tbody>
                  {evaluators.map((row) => (
                    <tr data-evaluator={row.evaluator}>
                      <th scope="row">
                        <code>{row.evaluator}</code>
                      </th>
                      {row.cells.map((cell) => (
                        <td class="xp-nowrap">
                          {cell ? (
                            <>
                              {cell.passed} passed · {cell.failed} failed
                              {cell.other > 0 ? ` · ${cell.other} other` : ''}
                            </>
                          ) : (
                            <span class="xp-muted">—</span>
                          )}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="steps-heading">
            <h2 id="steps-heading">Per step</h2>
            {steps.length === 0 ? (
              <p class="xp-muted">No per-step figures: the traces carry no step spans yet.</p>
            ) : (
              <table class="xp-table xp-compare-steps">
                <caption class="xp-visually-hidden">Cost, latency and tokens of each step, per variant</caption>
                <thead>
                  <SideHeaderRow first="Step" sides={sides} />
                </thead>
                <tbody>
                  {steps.map((name) => (
                    <tr data-step={name}>
                      <th scope="row">
                        <code>{name}</code>
                      </th>
                      {sides.map((side) => {
                        const step = side.steps.find((entry) => entry.step === name);
                        return (
                          <td class="xp-nowrap" data-cost={step?.cost ?? ''}>
                            {step ? (
                              <>
                                <CostFigure figures={step} paths={paths} />
                                <br />
                                <span class="xp-muted xp-small">
                                  p50 {duration(step.latency.p50)} · {((step.tokens.input ?? 0) + (step.tokens.output ?? 0)).toLocaleString('en-US')} tokens
                                </span>
                              </>
                            ) : (
                              <span class="xp-muted">—</span>
                            )}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          {sides.length === 2 ? (
            <div class="xp-sides">
              <FlipList id="flips-regressed" title="Passed less often with B than with A" rows={regressed} more={moreRegressed} a={a} b={b} />
              <FlipList id="flips-improved" title="Passed more often with B than with A" rows={improved} more={moreImproved} a={a} b={b} />
            </div>
          ) : null}
        </>
      ) : refused ? null : (
        <p class="xp-empty">Pick two or more variants that have run.</p>
      )}
    </section>
  );
}
