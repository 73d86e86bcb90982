import { statusLabel, toneOf } from './format.js';

/** A status as a small coloured label; the text carries the meaning, the colour only repeats it. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span class={`xp-badge xp-badge-${toneOf(status)}`}>{label ?? statusLabel(status)}</span>;
}
