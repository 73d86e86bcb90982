import { Hono } from 'hono';
import { z } from 'zod';
import { testStatuses } from '../domain/experiment-status.js';
import { effectiveConfig, formatChange } from '../domain/variant-tree.js';
import { ExperimentsError, notFound } from '../errors.js';
import { findExperiment, type ExperimentRecord } from '../store/experiment-repository.js';
import { flips, listResultRuns, listTestResults, type TestResultRow } from '../store/results-queries.js';
import { findVariant, listVariants } from '../store/variant-repository.js';
import { alpha, loadResults, type ExperimentResults, type VariantResult } from '../operations/experiment-results.js';
import { requireUuid } from '../operations/ids.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { validate } from './validate.js';

const defaultPageSize = 50;
const maxPageSize = 200;

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
