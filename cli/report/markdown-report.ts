import { resultCells, resultHeaders } from './result-cells.js';
import { describeRuns, gatesSummary, type RunReport } from './run-report.js';

// Only what would change the rendering is escaped, so the comment's source stays readable: an underscore inside a
// word (`response_generator`) never emphasises, so it is left alone.
const escapeMarkdown = (text: string) => text.replace(/[\\`*|<>[\]~#]/g, '\\$&').replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_');
const cell = (text: string) => escapeMarkdown(text.replace(/\s*[\r\n]+\s*/g, ' '));
const row = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
const gateIcon = { passed: '✅ passed', failed: '❌ failed', undecided: '⚠️ undecided' } as const;

/** The hidden line a CI job can look for to update its earlier comment instead of adding another. */
export const commentMarker = (key: string) => `<!-- experiments-cli: ${key.replace(/--/g, '- -')} -->`;

/** A pull-request comment: verdict, gates, results table, which runs ran now, and a link to the experiment. */
export function markdownReport(report: RunReport): string {
  const { experiment, results, gates } = report;
  const headline = report.exitCode === 0 ? '✅' : report.exitCode === 1 ? '❌' : '⚠️';
  const lines: string[] = [];
  if (experiment) lines.push(commentMarker(experiment.key));
  lines.push(`## ${headline} Experiment: ${experiment ? escapeMarkdown(experiment.name) : escapeMarkdown(report.file)}`, '');
  if (experiment?.hypothesis?.trim())
    lines.push(
      ...experiment.hypothesis
        .trim()
        .split(/\r?\n/)
        .map((line) => `> ${escapeMarkdown(line)}`),
      '',
    );
  if (report.error) lines.push(`**Could not finish:** ${escapeMarkdown(report.error)}`, '');

  lines.push(`### Gates — ${gatesSummary(gates)}`, '');
  if (gates.length > 0) {
    lines.push(row(['Result', 'Variant', 'Gate', 'Why']), '| --- | --- | --- | --- |');
    for (const gate of gates) lines.push(row([gateIcon[gate.status], gate.variant, gate.title, gate.reasons.join('; ')]));
    lines.push('');
  }

  if (results) {
    lines.push('### Results', '', row(resultHeaders), `|${' --- |'.repeat(resultHeaders.length)}`);
    for (const variant of results.variants) lines.push(row(resultCells(variant)));
    lines.push(
      '',
      '_Pass rates with 95% intervals; each variant is compared with the baseline over the same tasks (paired test), ' +
        'Holm-corrected across variants; a verdict needs p (Holm) ≤ ' +
        `${results.alpha ?? 0.05}._`,
      '',
    );
  }
  if (report.runs.length > 0)
    lines.push(
      '<details><summary>Runs</summary>',
      '',
      ...describeRuns(report.runs).map((line) => `- ${escapeMarkdown(line)}`),
      '',
      '</details>',
      '',
    );
  if (experiment) lines.push(`[Open the experiment](${experiment.url})`, '');
  return lines.join('\n');
}
