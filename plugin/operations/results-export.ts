import { dollars } from '../domain/stop-summary.js';
import { formatChange } from '../domain/variant-tree.js';
import type { ExperimentRecord } from '../store/experiment-repository.js';
import type { Caller } from './caller.js';
import { alpha, loadResults, type ExperimentResults, type VariantResult } from './experiment-results.js';
import { exportFileName } from './export-file-name.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import type { PluginContext } from './plugin-context.js';

type Cell = string | number | boolean | null | undefined;

/** A variant's changes from the baseline on one line: "classifier.temperature: 0.7 → 0.2; response_generator.model: …". */
const changesText = (v: VariantResult) => v.changes.map(formatChange).join('; ');

// A spreadsheet runs a cell that starts like a formula; user text is defused with a leading apostrophe (OWASP).
const defuse = (text: string | null | undefined) => (text && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const csvColumns: Array<[string, (v: VariantResult) => Cell]> = [
  ['variant_id', (v) => v.variantId],
  ['name', (v) => defuse(v.name)],
  ['parent_id', (v) => v.parentId],
  ['is_baseline', (v) => v.isBaseline],
  ['change', (v) => defuse(v.change ? formatChange(v.change) : null)],
  // Everything the variant sets differently from the baseline along its branch: a child's own change alone can read like another variant's.
  ['changes', (v) => defuse(changesText(v) || null)],
  ['run_id', (v) => v.runId],
  ['run_number', (v) => v.runNumber],
  ['status', (v) => v.status],
  ['completed_at', (v) => v.completedAt?.toISOString()],
  ['total', (v) => v.total],
  ['passed', (v) => v.passed],
  ['failed', (v) => v.failed],
  ['errored', (v) => v.errored],
  ['timed_out', (v) => v.timedOut],
  ['pending', (v) => v.pending],
  ['not_run', (v) => v.notRun],
  ['partial', (v) => v.partial],
  ['no_evaluations', (v) => v.noEvaluations],
  ['override_not_applied', (v) => v.overrideNotApplied],
  ['pass_rate', (v) => v.passRate],
  ['interval_low', (v) => v.interval?.low],
  ['interval_high', (v) => v.interval?.high],
  ['tasks_finished', (v) => v.tasks?.finished],
  ['paired_tasks', (v) => v.vsBaseline?.pairedTasks],
  ['relative', (v) => v.vsBaseline?.relative],
  ['points', (v) => v.vsBaseline?.points],
  ['difference_low', (v) => v.vsBaseline?.interval.low],
  ['difference_high', (v) => v.vsBaseline?.interval.high],
  // fixed_size, or anytime_valid (a confidence sequence) for a run that could stop once decided.
  ['difference_interval', (v) => v.vsBaseline?.intervalKind],
  ['regressions', (v) => v.vsBaseline?.regressions],
  ['improvements', (v) => v.vsBaseline?.improvements],
  ['p_value', (v) => v.vsBaseline?.pValue],
  ['p_adjusted', (v) => v.vsBaseline?.pAdjusted],
  ['verdict', (v) => v.vsBaseline?.verdict],
  ['test_method', (v) => v.vsBaseline?.method],
  // Set for a run that could stop once decided: p_value and the verdict are that anytime-valid test's.
  ['sequential_test', (v) => v.vsBaseline?.sequential],
  ['pass_hat_k', (v) => v.flakiness?.passHatK],
  ['flaky_share', (v) => v.flakiness?.flakyShare],
  ['latency_p50_ms', (v) => v.latency.p50],
  ['latency_p95_ms', (v) => v.latency.p95],
  ['tokens_input', (v) => v.tokens.input],
  ['tokens_output', (v) => v.tokens.output],
  ['tokens_total', (v) => v.tokens.total],
  ['cost', (v) => v.cost],
  // The cost above is the sum of the known costs: a run with unknown ones (e.g. a model not in the price table) says so.
  ['cost_unknown_tests', (v) => v.costUnknown],
  ['cost_note', (v) => defuse(v.costNotes.join('; ') || null)],
  ['stop_reason', (v) => v.stopped?.reason],
  ['stop_summary', (v) => v.stopped?.summary],
  ['stop_after_tasks', (v) => v.stopped?.afterTasks],
  ['not_sent', (v) => v.stopped?.notSent],
  ['saved_cost', (v) => v.stopped?.savedCost],
  ['repeats', (v) => v.repeats],
  ['task_rule', (v) => v.taskRule],
  ['earlier_runs', (v) => v.earlierRuns.length],
];

// RFC 4180: a field with a comma, quote or line break is quoted, and its quotes doubled.
function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// Per step, after the run's own columns: `step:<step>:<figure>`, for every step any variant's traces showed.
const stepColumns: Array<[string, (step: VariantResult['steps'][number]) => Cell]> = [
  ['input_tokens', (step) => step.tokens.input],
  ['output_tokens', (step) => step.tokens.output],
  ['cost', (step) => step.cost],
  ['cost_unknown_tests', (step) => step.costUnknown],
  ['cost_note', (step) => defuse(step.costNotes.join('; ') || null)],
];

/** The results as CSV (RFC 4180), one row per variant: its run's figures, then tokens and cost per step. */
export function resultsCsv(results: ExperimentResults): string {
  const steps = [...new Set(results.variants.flatMap((v) => v.steps.map((step) => step.step)))].sort();
  const header = [
    ...csvColumns.map(([name]) => name),
    ...steps.flatMap((step) => stepColumns.map(([name]) => defuse(`step:${step}:${name}`)!)),
  ];
  const row = (v: VariantResult) => [
    ...csvColumns.map(([, cell]) => cell(v)),
    ...steps.flatMap((name) => {
      const step = v.steps.find((s) => s.step === name);
      return stepColumns.map(([, cell]) => (step ? cell(step) : null));
    }),
  ];
  const lines = [header, ...results.variants.map(row)].map((cells) => cells.map(csvField).join(','));
  return lines.join('\r\n') + '\r\n';
}

// --- Markdown --------------------------------------------------------------------------------------------------

// Only what would change the rendering is escaped, so the source stays readable: `response_generator` keeps its
// underscore (intraword underscores never emphasise), a leading `#`, `>` or list marker cannot start a block.
const escapeMarkdown = (text: string) =>
  text
    .replace(/[\\`*|<>[\]~]/g, '\\$&')
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
const cellText = (text: string) => escapeMarkdown(text.replace(/\s*[\r\n]+\s*/g, ' '));
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
const signed = (value: number, digits: number) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(digits)}`;
const pText = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
const verdictText = { better: '**better**', worse: '**worse**', no_difference: 'no difference' } as const;
// The winner's line: "better than the baseline", "no clear difference from the baseline".
const verdictAgainstBaseline = { better: '**better** than the baseline', worse: '**worse** than the baseline', no_difference: 'no clear difference from the baseline' } as const;

function fenced(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function passRateText(v: VariantResult): string {
  if (v.runId === null) return 'not run';
  const rate =
    v.passRate === null || v.interval === null ? '—' : `${percent(v.passRate)} (${percent(v.interval.low)}–${percent(v.interval.high)})`;
  const finished = v.total - v.pending - v.notRun;
  const notRun = v.notRun > 0 ? `, ${v.notRun} not run` : '';
  const counts = `${v.passed}/${finished} tests${notRun}, ${v.repeats ?? 1}× per task (${v.taskRule ?? 'all'})`;
  if (v.partial) return `${rate}, ${counts} — partial: run ${v.status}, ${v.pending} pending`;
  return v.status === 'completed' ? `${rate}, ${counts}` : `${rate}, ${counts} — run ${v.status}`;
}

const flakyText = (v: VariantResult) =>
  !v.flakiness || v.flakiness.k < 2
    ? '—'
    : `${v.flakiness.passHatK === null ? '—' : percent(v.flakiness.passHatK)} / ${v.flakiness.flakyShare === null ? '—' : percent(v.flakiness.flakyShare)}`;

function resultRow(v: VariantResult): string {
  const comparison = v.vsBaseline;
  const cells = [
    cellText(v.name),
    v.changes.length > 0 ? cellText(changesText(v)) : '—',
    passRateText(v),
    v.isBaseline
      ? 'baseline'
      : comparison
        ? `${signed(comparison.points, 1)} pts${comparison.relative === null ? '' : ` (${signed(comparison.relative * 100, 1)}%)`}, ` +
          `${signed(comparison.interval.low * 100, 1)} to ${signed(comparison.interval.high * 100, 1)}`
        : '—',
    comparison ? `${comparison.regressions} / ${comparison.improvements}` : '—',
    comparison ? `${pText(comparison.pValue)} / ${pText(comparison.pAdjusted)}` : '—',
    v.isBaseline ? '—' : comparison ? verdictText[comparison.verdict] : 'not compared',
    flakyText(v),
  ];
  return `| ${cells.join(' | ')} |`;
}

const thousands = (n: number | null) => (n === null ? '—' : n.toLocaleString('en-US'));

// Two significant digits below a dollar: a run of small calls costs fractions of a cent, which cents would hide.
const costDollars = (value: number) => (value >= 1 || value === 0 ? dollars(value) : `$${value.toPrecision(2)}`);

// A cost that says when it is unknown, or only partly known, instead of reading as zero.
function costText(cost: number | null, unknown: number, notes: readonly string[]): string {
  const why = notes.length > 0 ? `: ${notes.map(cellText).join('; ')}` : '';
  if (unknown === 0) return cost === null ? '—' : costDollars(cost);
  const tests = `${unknown} ${unknown === 1 ? 'test' : 'tests'} unknown${why}`;
  return cost === null ? `unknown (${tests})` : `≥ ${costDollars(cost)} (${tests})`;
}

/** Why runs stopped sending before every test went out: the sentence the run's page shows. */
function stoppedSection(results: ExperimentResults): string[] {
  const stopped = results.variants.filter((v) => v.stopped !== null);
  if (stopped.length === 0) return [];
  return [
    '## Stopped before every test was sent',
    '',
    ...stopped.map((v) => {
      const inFlight = v.stopped!.inFlight ?? 0;
      const sentBefore =
        inFlight > 0 ? ` ${inFlight} ${inFlight === 1 ? 'test was' : 'tests were'} already sent at the decision; ${inFlight === 1 ? 'its result counts' : 'their results count'}.` : '';
      return `- **${cellText(v.name)}**: ${cellText(v.stopped!.summary)}.${sentBefore}`;
    }),
    '',
  ];
}

/** Tokens and cost of each variant's run, overall and per step, from the traces. */
function usageSection(results: ExperimentResults): string[] {
  const ran = results.variants.filter((v) => v.runId !== null);
  if (ran.length === 0) return [];
  const rows = ran.flatMap((v) => [
    `| ${cellText(v.name)} | all steps | ${thousands(v.tokens.input)} | ${thousands(v.tokens.output)} | ${costText(v.cost, v.costUnknown, v.costNotes)} |`,
    ...v.steps.map(
      (step) =>
        `| ${cellText(v.name)} | ${cellText(step.step)} | ${thousands(step.tokens.input)} | ${thousands(step.tokens.output)} | ` +
        `${costText(step.cost, step.costUnknown, step.costNotes)} |`,
    ),
  ]);
  const unknown = ran.some((v) => v.costUnknown > 0 || v.steps.some((step) => step.costUnknown > 0));
  return [
    '## Tokens and cost',
    '',
    '| Variant | Step | Input tokens | Output tokens | Cost |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...(unknown
      ? [
          '_A cost is unknown where a trace names a model the price table does not know (it is never counted as zero): ' +
            'add the model to the project’s price table (Experiments tab → Model prices) and later runs are priced._',
          '',
        ]
      : []),
  ];
}

/** The results as a Markdown summary: hypothesis, baseline configuration, the table, notes and the winner. */
export function resultsMarkdown(experiment: ExperimentRecord, results: ExperimentResults): string {
  const baseline = results.variants.find((v) => v.isBaseline);
  const compared = results.variants.filter((v) => v.vsBaseline !== null).length;
  const lines: string[] = [`# Experiment: ${cellText(experiment.name)}`, ''];
  const hypothesis = experiment.description.trim();
  lines.push(
    '**Hypothesis**',
    '',
    ...(hypothesis ? hypothesis.split(/\r?\n/).map((line) => `> ${escapeMarkdown(line)}`) : ['_No hypothesis was written down._']),
    '',
  );
  lines.push('## Baseline configuration', '', fenced(JSON.stringify(experiment.baselineConfig, null, 2), 'json'), '');
  lines.push(
    '## Results',
    '',
    '| Variant | Changes from the baseline | Pass rate (95% CI), tests | vs baseline (95% CI of the difference) | Regressed / improved tasks | p / p (Holm) | Verdict | pass^k / flaky tasks |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.variants.map(resultRow),
    '',
  );
  const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const notes = [
    'Pass rate is the mean over tasks of each task’s share of passing repeats; pending and not-run tests count nowhere. ' +
      'The 95% interval treats the task as the unit (Wilson’s when each task ran once).',
    compared === 0
      ? 'No variant has a completed run to compare with a completed baseline run yet.'
      : `Each variant is compared with the baseline's latest completed run over the tasks both finished, on each task’s pass fraction ` +
        `(exact McNemar test when both ran each task once, an exact stratified permutation test with repeats), ` +
        `Holm-adjusted across the ${plural(compared, 'compared variant')}; a verdict needs p (Holm) ≤ ${alpha}.`,
  ];
  const sequential = results.variants.filter((v) => v.vsBaseline?.sequential);
  if (sequential.length > 0) {
    notes.push(
      `${sequential.map((v) => cellText(v.name)).join(', ')} ran with “stop when decided”: ${sequential.length === 1 ? 'its' : 'their'} p-value is the ` +
        'anytime-valid one of the sequential test over the tasks in the order they were sent (valid however the run’s size came about; ' +
        'a fixed-size test would not be), Holm-adjusted with the others; the interval of the difference is the anytime-valid 95% interval ' +
        '(a confidence sequence matching that test), for the same reason.',
    );
  }
  const detectable = results.detectableDifference;
  if (detectable && baseline) {
    const size = detectable.improvement ?? detectable.regression;
    notes.push(
      size === null
        ? `With ${plural(detectable.tasks, 'task')}, no change is likely to be detected (80% power).`
        : `With ${plural(detectable.tasks, 'task')} and ${plural(detectable.variants, 'variant')}, a change smaller than about ` +
            `${(size * 100).toFixed(1)} points is unlikely to be detected (80% power).`,
    );
  }
  lines.push(...notes.map((note) => `_${note}_`), '');
  lines.push(...stoppedSection(results), ...usageSection(results));
  if (experiment.status === 'completed') {
    const winner = results.variants.find((v) => v.variantId === experiment.winnerVariantId);
    lines.push('## Winner', '');
    if (winner) {
      const change = winner.changes.length > 0 ? ` (${cellText(changesText(winner))})` : '';
      const verdict = winner.vsBaseline ? `, ${verdictAgainstBaseline[winner.vsBaseline.verdict]}` : '';
      lines.push(`**${cellText(winner.name)}**${change}: ${passRateText(winner)}${verdict}.`, '');
    } else {
      lines.push('The experiment was completed without picking a winner.', '');
    }
  }
  return lines.join('\n');
}

/** A results export as a file: its text, its media type and, for a download, its file name. */
export interface ResultsFile {
  body: string;
  contentType: string;
  /** Readable: the experiment's name, what the file holds and the day (operations/export-file-name.ts). */
  fileName: string;
}

/** The results of one of the caller's experiments as CSV (a download) or as a Markdown summary. */
export async function exportResults(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  format: 'csv' | 'markdown',
): Promise<ResultsFile> {
  const scope = experimentScope(caller, experimentId);
  const experiment = await loadExperiment(context.db, scope);
  const results = await loadResults(context.db, experiment, scope);
  const now = new Date();
  if (format === 'markdown')
    return { body: resultsMarkdown(experiment, results), contentType: 'text/markdown; charset=utf-8', fileName: exportFileName(experiment.name, 'results', now, 'md') };
  return { body: resultsCsv(results), contentType: 'text/csv; charset=utf-8', fileName: exportFileName(experiment.name, 'results', now, 'csv') };
}
