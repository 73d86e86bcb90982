import type { ExperimentStatus } from '../plugin/domain/experiment-status.js';

/** A fraction as a percentage, e.g. `percent(0.775)` → `77.5%`. */
export const percent = (fraction: number, digits = 1): string => `${(fraction * 100).toFixed(digits)}%`;

/** A signed difference in percentage points, with a real minus sign. */
export function signedPoints(points: number): string {
  const sign = points > 0 ? '+' : points < 0 ? '−' : '±';
  return `${sign}${Math.abs(points).toFixed(1)} pts`;
}

/** A signed relative change, e.g. `+10.7%`. */
export function signedPercent(fraction: number): string {
  const sign = fraction > 0 ? '+' : fraction < 0 ? '−' : '±';
  return `${sign}${Math.abs(fraction * 100).toFixed(1)}%`;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A time in UTC, to the minute, the same for every reader: `2026-11-20 10:00 UTC`. */
export function dateTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/** A time as an ISO string for `<time datetime>`. */
export const isoTime = (value: Date | string): string => new Date(value).toISOString();

/** A duration in milliseconds, e.g. `340 ms` or `1.2 s`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A cost in US dollars, with enough digits for per-test cents. */
export function cost(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
}

/** The first `length` characters of a text, marked when cut. */
/** The interval of a change against the baseline: a run that could stop once decided has an anytime-valid one. */
export const intervalLabel = (kind: string | undefined): string => (kind === 'anytime_valid' ? 'anytime-valid 95% CI' : '95% CI');

export const shorten = (text: string, length: number): string => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

const experimentLabels: Record<ExperimentStatus, string> = {
  draft: 'Draft',
  baseline_pending: 'Baseline pending',
  running_baseline: 'Running baseline',
  baseline_complete: 'Baseline complete',
  baseline_failed: 'Baseline failed',
  running_variant: 'Running variant',
  idle: 'Idle',
  completed: 'Completed',
  archived: 'Archived',
};

/** A status (of an experiment, variant, run or test) as a person reads it. */
export function statusLabel(status: string): string {
  if (status in experimentLabels) return experimentLabels[status as ExperimentStatus];
  const words = status.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'muted';

const tones: Record<string, Tone> = {
  running_baseline: 'info',
  running_variant: 'info',
  running: 'info',
  pending: 'muted',
  dispatched: 'info',
  awaiting_trace: 'info',
  evaluating: 'info',
  partial: 'info',
  baseline_complete: 'ok',
  completed: 'ok',
  passed: 'ok',
  better: 'ok',
  improved: 'ok',
  baseline_failed: 'bad',
  failed: 'bad',
  errored: 'bad',
  worse: 'bad',
  regressed: 'bad',
  timed_out: 'warn',
  not_run: 'muted',
  cancelled: 'warn',
  idle: 'muted',
  draft: 'muted',
  baseline_pending: 'muted',
  archived: 'muted',
  no_difference: 'muted',
  unchanged: 'muted',
};

/** The colour family a status is shown in. */
export const toneOf = (status: string): Tone => tones[status] ?? 'muted';
