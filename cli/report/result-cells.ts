import type { ApiVariantResult } from '../api/api-types.js';
import { percent, points, pValue } from './figures.js';

// The cells of a results row, shared by the terminal table and the Markdown report so both say the same thing.

export const resultHeaders = [
  'Variant',
  'Change',
  'Pass rate (95% CI)',
  'Passed/total',
  'vs baseline',
  'Regressed/improved',
  'p (Holm)',
  'Verdict',
];

function changeText(result: ApiVariantResult): string {
  if (!result.change) return '—';
  const { step, parameter, from, to } = result.change;
  const show = (value: string | number | null) =>
    value === null
      ? 'unset'
      : typeof value === 'string' && value.length > 40
        ? `${JSON.stringify(value.slice(0, 37))}…`
        : JSON.stringify(value);
  return `${step}.${parameter}: ${show(from)} → ${show(to)}`;
}

/** The row of one variant, as plain text cells in `resultHeaders` order. */
export function resultCells(result: ApiVariantResult): string[] {
  const comparison = result.vsBaseline;
  const ran = result.runId !== null;
  const rate =
    result.passRate === null
      ? '—'
      : `${percent(result.passRate)}${result.interval ? ` (${percent(result.interval.low)}–${percent(result.interval.high)})` : ''}`;
  return [
    result.isBaseline ? 'baseline' : result.name,
    changeText(result),
    ran ? (result.status === 'completed' ? rate : `${rate}, run ${result.status}`) : 'not run',
    ran ? `${result.passed}/${result.total}` : '—',
    result.isBaseline ? '—' : comparison ? points(comparison.points) : '—',
    comparison ? `${comparison.regressions}/${comparison.improvements}` : '—',
    comparison ? pValue(comparison.pAdjusted) : '—',
    result.isBaseline ? 'baseline' : comparison ? comparison.verdict.replace('_', ' ') : 'not compared',
  ];
}
