import { Hono } from 'hono';
import { z } from 'zod';
import { compareWithBaseline, share, type BaselineComparison, type PairedRun, type TaskRule } from '../domain/comparison.js';
import { testStatuses } from '../domain/experiment-status.js';
import type { ExperimentConfig } from '../domain/parameters.js';
import { minimumDetectableDifference, wilsonInterval, type Interval } from '../domain/statistics.js';
import { describeChange, effectiveConfig, formatChange, type ParameterChange } from '../domain/variant-tree.js';
import { ExperimentsError, notFound } from '../errors.js';
import type { Db } from '../store/connect.js';
import { findExperiment, type ExperimentRecord, type ExperimentScope } from '../store/experiment-repository.js';
import {
  flips,
  listResultRuns,
  listTestResults,
  pairCounts,
  runFigures,
  stepFigures,
  type StepFigures,
  taskFigures,
  type ResultRun,
  type RunFigures,
  type TaskFigures,
  type TestResultRow,
} from '../store/results-queries.js';
import { findVariant, listVariants, type VariantRecord } from '../store/variant-repository.js';
import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { validate } from './validate.js';

const alpha = 0.05;
const defaultPageSize = 50;
const maxPageSize = 200;

/** A run listed beside the one a variant's results are read from. */
interface EarlierRun {
  runId: string;
  number: number;
  status: string;
  createdAt: Date;
  finishedAt: Date | null;
  total: number;
  passed: number;
  passRate: number | null;
}

/** One variant's entry in the results (DESIGN §8). */
interface VariantResult {
  variantId: string;
  name: string;
  parentId: string | null;
  isBaseline: boolean;
  change: ParameterChange | null;
  runId: string | null;
  runNumber: number | null;
  status: string | null;
  completedAt: Date | null;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  pending: number;
  noEvaluations: number;
  overrideNotApplied: number;
  passRate: number | null;
  interval: Interval | null;
  vsBaseline: (BaselineComparison & { pairedTasks: number }) | null;
  latency: { p50: number | null; p95: number | null };
  tokens: { input: number | null; output: number | null; total: number | null };
  cost: number | null;
  /** Latency, tokens and cost per inference step, from the traces. */
  steps: Array<{ step: string; tests: number; latency: { p50: number | null; p95: number | null }; tokens: { input: number | null; output: number | null }; cost: number | null }>;
  repeats: number | null;
  taskRule: TaskRule | null;
  tasks: { total: number; passed: number; passRate: number | null } | null;
  consistency?: number | null;
  passFractions?: Array<{ fraction: number; passes: number; tasks: number }>;
  earlierRuns: EarlierRun[];
}

interface ExperimentResults {
  experimentId: string;
  baselineVariantId: string | null;
  baselineRunId: string | null;
  minimumDetectableDifference: number | null;
  alpha: number;
  variants: VariantResult[];
}

const emptyFigures: RunFigures = {
  total: 0,
  passed: 0,
  failed: 0,
  errored: 0,
  timedOut: 0,
  open: 0,
  noEvaluations: 0,
  overrideNotApplied: 0,
  latencyP50: null,
  latencyP95: null,
  inputTokens: null,
  outputTokens: null,
  totalTokens: null,
  cost: null,
};

// Comparisons are made against completed runs only; a variant whose latest run failed still shows its last good one.
const shownRun = (runs: readonly ResultRun[]): ResultRun | null => runs.find((run) => run.status === 'completed') ?? runs[0] ?? null;

function changeOf(variant: VariantRecord, variants: readonly VariantRecord[], baselineConfig: ExperimentConfig): ParameterChange | null {
  if (variant.parentId === null || variant.override === null) return null;
  return describeChange(effectiveConfig(variants, variant.parentId, baselineConfig), variant.override);
}

async function loadResults(db: Db, experiment: ExperimentRecord, scope: ExperimentScope): Promise<ExperimentResults> {
  const [variants, runs] = await Promise.all([listVariants(db, scope), listResultRuns(db, scope)]);
  const runsOf = new Map<string, ResultRun[]>();
  for (const run of runs) runsOf.set(run.variantId, [...(runsOf.get(run.variantId) ?? []), run]);
  const shown = variants.map((variant) => ({ variant, run: shownRun(runsOf.get(variant.id) ?? []) }));
  const baseline = shown.find((entry) => entry.variant.isBaseline) ?? null;
  const baselineRun = baseline?.run?.status === 'completed' ? baseline.run : null;
  const comparable = shown.filter((entry) => !entry.variant.isBaseline && entry.run?.status === 'completed').map((entry) => entry.run!.id);

  const shownRunIds = shown.flatMap((entry) => (entry.run ? [entry.run.id] : []));
  const allRunIds = runs.map((run) => run.id);
  const [figures, tasks, pairs, steps] = await Promise.all([
    runFigures(db, allRunIds),
    taskFigures(db, shownRunIds),
    baselineRun ? pairCounts(db, baselineRun.id, comparable) : Promise.resolve(new Map<string, never>()),
    stepFigures(db, shownRunIds),
  ]);
  const baselineFigures = baselineRun ? (figures.get(baselineRun.id) ?? emptyFigures) : null;

  const paired: Array<(PairedRun & { pairs: number }) | null> = shown.map(({ run }) => {
    const counts = run ? pairs.get(run.id) : undefined;
    // No task final in both runs: nothing was compared, so the variant stays out of the Holm family.
    if (!run || !counts || counts.pairs === 0) return null;
    const own = figures.get(run.id) ?? emptyFigures;
    return { passed: own.passed, total: own.total, ...counts };
  });
  const comparisons = baselineFigures ? compareWithBaseline(baselineFigures, paired, alpha) : paired.map(() => null);

  const baselineTasks = baselineRun ? tasks.get(baselineRun.id) : undefined;
  return {
    experimentId: experiment.id,
    baselineVariantId: baseline?.variant.id ?? null,
    baselineRunId: baselineRun?.id ?? null,
    minimumDetectableDifference:
      baselineTasks && baselineTasks.tasks > 0
        ? minimumDetectableDifference(baselineTasks.passed / baselineTasks.tasks, baselineTasks.tasks, alpha)
        : null,
    alpha,
    variants: shown.map(({ variant, run }, index) => {
      const comparison = comparisons[index] ?? null;
      return variantResult({
        variant,
        change: changeOf(variant, variants, experiment.baselineConfig),
        run,
        figures: run ? (figures.get(run.id) ?? emptyFigures) : emptyFigures,
        tasks: run ? (tasks.get(run.id) ?? null) : null,
        steps: run ? (steps.get(run.id) ?? []) : [],
        vsBaseline: comparison ? { ...comparison, pairedTasks: paired[index]!.pairs } : null,
        earlier: (runsOf.get(variant.id) ?? [])
          .filter((other) => other.id !== run?.id)
          .map((other) => earlierRun(other, figures.get(other.id))),
      });
    }),
  };
}

function earlierRun(run: ResultRun, figures: RunFigures | undefined): EarlierRun {
  const own = figures ?? emptyFigures;
  return {
    runId: run.id,
    number: run.number,
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    total: own.total,
    passed: own.passed,
    passRate: share(own.passed, own.total),
  };
}

function variantResult(input: {
  variant: VariantRecord;
  change: ParameterChange | null;
  run: ResultRun | null;
  figures: RunFigures;
  tasks: TaskFigures | null;
  steps: StepFigures[];
  vsBaseline: VariantResult['vsBaseline'];
  earlier: EarlierRun[];
}): VariantResult {
  const { variant, run, figures, tasks } = input;
  const repeated = run !== null && run.repeats > 1;
  return {
    variantId: variant.id,
    name: variant.name,
    parentId: variant.parentId,
    isBaseline: variant.isBaseline,
    change: input.change,
    runId: run?.id ?? null,
    runNumber: run?.number ?? null,
    status: run?.status ?? null,
    completedAt: run?.status === 'completed' ? run.finishedAt : null,
    total: figures.total,
    passed: figures.passed,
    failed: figures.failed,
    errored: figures.errored,
    timedOut: figures.timedOut,
    pending: figures.open,
    noEvaluations: figures.noEvaluations,
    overrideNotApplied: figures.overrideNotApplied,
    passRate: share(figures.passed, figures.total),
    interval: figures.total === 0 ? null : wilsonInterval(figures.passed, figures.total),
    vsBaseline: input.vsBaseline,
    latency: { p50: figures.latencyP50, p95: figures.latencyP95 },
    tokens: { input: figures.inputTokens, output: figures.outputTokens, total: figures.totalTokens },
    cost: figures.cost,
    steps: input.steps.map((step) => ({
      step: step.step,
      tests: step.tests,
      latency: { p50: step.latencyP50, p95: step.latencyP95 },
      tokens: { input: step.inputTokens, output: step.outputTokens },
      cost: step.cost,
    })),
    repeats: run?.repeats ?? null,
    taskRule: run?.taskRule ?? null,
    tasks: tasks ? { total: tasks.tasks, passed: tasks.passed, passRate: share(tasks.passed, tasks.tasks) } : null,
    ...(repeated
      ? {
          consistency: tasks ? share(tasks.consistent, tasks.tasks) : null,
          passFractions: (tasks?.byPasses ?? []).map((entry) => ({
            fraction: entry.passes / entry.repeats,
            passes: entry.passes,
            tasks: entry.tasks,
          })),
        }
      : {}),
    earlierRuns: input.earlier,
  };
}

// --- CSV -------------------------------------------------------------------------------------------------------

type Cell = string | number | boolean | null | undefined;

// A spreadsheet runs a cell that starts like a formula; user text is defused with a leading apostrophe (OWASP).
const defuse = (text: string | null | undefined) => (text && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const csvColumns: Array<[string, (v: VariantResult) => Cell]> = [
  ['variant_id', (v) => v.variantId],
  ['name', (v) => defuse(v.name)],
  ['parent_id', (v) => v.parentId],
  ['is_baseline', (v) => v.isBaseline],
  ['change', (v) => defuse(v.change ? formatChange(v.change) : null)],
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
  ['no_evaluations', (v) => v.noEvaluations],
  ['override_not_applied', (v) => v.overrideNotApplied],
  ['pass_rate', (v) => v.passRate],
  ['interval_low', (v) => v.interval?.low],
  ['interval_high', (v) => v.interval?.high],
  ['paired_tasks', (v) => v.vsBaseline?.pairedTasks],
  ['relative', (v) => v.vsBaseline?.relative],
  ['points', (v) => v.vsBaseline?.points],
  ['regressions', (v) => v.vsBaseline?.regressions],
  ['improvements', (v) => v.vsBaseline?.improvements],
  ['p_value', (v) => v.vsBaseline?.pValue],
  ['p_adjusted', (v) => v.vsBaseline?.pAdjusted],
  ['verdict', (v) => v.vsBaseline?.verdict],
  ['latency_p50_ms', (v) => v.latency.p50],
  ['latency_p95_ms', (v) => v.latency.p95],
  ['tokens_input', (v) => v.tokens.input],
  ['tokens_output', (v) => v.tokens.output],
  ['tokens_total', (v) => v.tokens.total],
  ['cost', (v) => v.cost],
  ['repeats', (v) => v.repeats],
  ['task_rule', (v) => v.taskRule],
  ['tasks', (v) => v.tasks?.total],
  ['tasks_passed', (v) => v.tasks?.passed],
  ['consistency', (v) => v.consistency],
  ['earlier_runs', (v) => v.earlierRuns.length],
];

// RFC 4180: a field with a comma, quote or line break is quoted, and its quotes doubled.
function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function toCsv(results: ExperimentResults): string {
  const lines = [csvColumns.map(([header]) => header), ...results.variants.map((v) => csvColumns.map(([, cell]) => csvField(cell(v))))];
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
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

function fenced(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function passRateText(v: VariantResult): string {
  if (v.runId === null) return 'not run';
  const rate =
    v.passRate === null || v.interval === null ? '—' : `${percent(v.passRate)} (${percent(v.interval.low)}–${percent(v.interval.high)})`;
  return v.status === 'completed' ? `${rate}, ${v.passed}/${v.total}` : `${rate}, ${v.passed}/${v.total} — run ${v.status}`;
}

function resultRow(v: VariantResult): string {
  const comparison = v.vsBaseline;
  const cells = [
    cellText(v.name),
    v.change ? cellText(formatChange(v.change)) : '—',
    passRateText(v),
    v.isBaseline
      ? 'baseline'
      : comparison
        ? `${signed(comparison.points, 1)} pts${comparison.relative === null ? '' : ` (${signed(comparison.relative * 100, 1)}%)`}`
        : '—',
    comparison ? `${comparison.regressions} / ${comparison.improvements}` : '—',
    comparison ? `${pText(comparison.pValue)} / ${pText(comparison.pAdjusted)}` : '—',
    v.isBaseline ? '—' : comparison ? verdictText[comparison.verdict] : 'not compared',
  ];
  return `| ${cells.join(' | ')} |`;
}

function toMarkdown(experiment: ExperimentRecord, results: ExperimentResults): string {
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
    '| Variant | Change | Pass rate (95% CI), passed/total | vs baseline | Regressed / improved tasks | p / p (Holm) | Verdict |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.variants.map(resultRow),
    '',
  );
  const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const notes = [
    'Pass rate is passed tests ÷ all tests; the interval is a 95% Wilson interval.',
    compared === 0
      ? 'No variant has a completed run to compare with a completed baseline run yet.'
      : `Each variant is compared with the baseline's latest completed run by an exact McNemar test over the tasks both ran, ` +
        `Holm-adjusted across the ${plural(compared, 'compared variant')}; a verdict needs p (Holm) ≤ ${alpha}.`,
  ];
  if (results.minimumDetectableDifference !== null && baseline?.tasks) {
    notes.push(
      `With ${plural(baseline.tasks.total, 'task')}, a change smaller than about ` +
        `${(results.minimumDetectableDifference * 100).toFixed(1)} points is unlikely to be detected (80% power).`,
    );
  }
  lines.push(...notes.map((note) => `_${note}_`), '');
  if (experiment.status === 'completed') {
    const winner = results.variants.find((v) => v.variantId === experiment.winnerVariantId);
    lines.push('## Winner', '');
    if (winner) {
      const change = winner.change ? ` (${cellText(formatChange(winner.change))})` : '';
      const verdict = winner.vsBaseline ? `, ${verdictText[winner.vsBaseline.verdict]} than the baseline` : '';
      lines.push(`**${cellText(winner.name)}**${change}: ${passRateText(winner)}${verdict}.`, '');
    } else {
      lines.push('The experiment was completed without picking a winner.', '');
    }
  }
  return lines.join('\n');
}

// --- Tests ------------------------------------------------------------------------------------------------------

const pageSizeMessage = `limit must be a whole number from 1 to ${maxPageSize}`;
const testsQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, { error: pageSizeMessage })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: pageSizeMessage }).max(maxPageSize, { error: pageSizeMessage }))
    .optional(),
  cursor: z.string().max(200, { error: 'cursor is not valid; use the nextCursor of a previous page' }).optional(),
  status: z.enum(testStatuses, { error: `status must be one of ${testStatuses.join(', ')}` }).optional(),
  flip: z.enum(flips, { error: `flip must be one of ${flips.join(', ')}` }).optional(),
});

// The cursor names its run, so a cursor from another run is refused instead of silently skipping rows.
const encodeCursor = (runId: string, position: number) => Buffer.from(JSON.stringify([runId, position]), 'utf8').toString('base64url');

function decodeCursor(cursor: string, runId: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    parsed[0] === runId &&
    Number.isSafeInteger(parsed[1]) &&
    (parsed[1] as number) >= 0
  ) {
    return parsed[1] as number;
  }
  throw new ExperimentsError('bad_request', 'The cursor is not valid for this run; use the nextCursor of a previous page.');
}

const sumOrNull = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));

/**
 * Results of an experiment (DESIGN §8, §9): per-variant figures and paired comparisons, the tests of a run beside
 * the baseline's, CSV and Markdown summaries, and the winner's configuration. Every id is scoped to the caller's
 * project; all counting happens in Postgres.
 */
export function resultRoutes(context: PluginContext): Hono {
  const { db, host } = context;
  const app = new Hono();

  async function experimentOf(projectId: string, id: string | undefined) {
    const scope = { projectId, experimentId: requireUuid(id, 'Experiment') };
    const experiment = await findExperiment(db, scope);
    if (!experiment) throw notFound('Experiment', scope.experimentId);
    return { scope, experiment };
  }

  const traceUrl = (projectId: string, traceId: string | null) => (traceId === null ? null : host.traces.pageUrl(projectId, traceId));

  app.get('/:id/results', async (c) => {
    const { scope, experiment } = await experimentOf(c.get('projectId'), c.req.param('id'));
    return c.json(await loadResults(db, experiment, scope));
  });

  app.get('/:id/results.csv', async (c) => {
    const { scope, experiment } = await experimentOf(c.get('projectId'), c.req.param('id'));
    const csv = toCsv(await loadResults(db, experiment, scope));
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="experiment-${experiment.id}-results.csv"`,
    });
  });

  app.get('/:id/results.md', async (c) => {
    const { scope, experiment } = await experimentOf(c.get('projectId'), c.req.param('id'));
    const markdown = toMarkdown(experiment, await loadResults(db, experiment, scope));
    return c.body(markdown, 200, { 'content-type': 'text/markdown; charset=utf-8' });
  });

  app.get('/:id/runs/:rid/tests', validate('query', testsQuerySchema), async (c) => {
    const projectId = c.get('projectId');
    const { scope } = await experimentOf(projectId, c.req.param('id'));
    const runId = requireUuid(c.req.param('rid'), 'Run');
    const query = c.req.valid('query');
    const runs = await listResultRuns(db, scope);
    const run = runs.find((candidate) => candidate.id === runId);
    if (!run) throw new ExperimentsError('not_found', `Run ${runId} was not found in this experiment.`);
    // Runs are listed newest first within a variant, so the first completed baseline run is the latest.
    const baselineRun = run.isBaseline
      ? null
      : (runs.find((candidate) => candidate.isBaseline && candidate.status === 'completed') ?? null);
    const limit = query.limit ?? defaultPageSize;
    const rows = await listTestResults(db, {
      experimentId: scope.experimentId,
      runId,
      baselineRunId: baselineRun?.id ?? null,
      afterPosition: query.cursor === undefined ? -1 : decodeCursor(query.cursor, runId),
      limit,
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.flip === undefined ? {} : { flip: query.flip }),
    });
    const items = rows.slice(0, limit).map((row: TestResultRow) => ({
      testId: row.testId,
      taskId: row.taskId,
      taskTitle: row.taskTitle,
      repeat: row.repeat,
      position: row.position,
      attempt: row.attempt,
      status: row.status,
      error: row.error,
      evaluations: row.evaluations,
      output: row.output,
      latencyMs: row.latencyMs,
      tokens: { input: row.inputTokens, output: row.outputTokens, total: sumOrNull(row.inputTokens, row.outputTokens) },
      cost: row.cost,
      overrideMismatches: row.overrideMismatches,
      traceId: row.traceId,
      traceUrl: traceUrl(projectId, row.traceId),
      taskPassFraction: row.taskPasses / row.taskRepeats,
      baseline: row.baseline
        ? {
            status: row.baseline.status,
            output: row.baseline.output,
            testId: row.baseline.testId,
            traceUrl: traceUrl(projectId, row.baseline.traceId),
          }
        : null,
      flip: row.flip,
    }));
    const last = items.at(-1);
    return c.json({
      runId,
      variantId: run.variantId,
      isBaseline: run.isBaseline,
      baselineRunId: baselineRun?.id ?? null,
      items,
      ...(rows.length > limit && last ? { nextCursor: encodeCursor(runId, last.position) } : {}),
    });
  });

  app.get('/:id/export', async (c) => {
    const { scope, experiment } = await experimentOf(c.get('projectId'), c.req.param('id'));
    if (experiment.winnerVariantId === null) {
      throw new ExperimentsError('conflict', 'No winner has been picked yet: complete the experiment with a winnerVariantId first.', {
        status: experiment.status,
      });
    }
    const winner = await findVariant(db, scope, experiment.winnerVariantId);
    if (!winner) throw notFound('Variant', experiment.winnerVariantId);
    const config = effectiveConfig(await listVariants(db, scope), winner.id, experiment.baselineConfig);
    return c.json({ experimentId: experiment.id, winnerVariantId: winner.id, name: winner.name, config });
  });

  return app;
}
