/** A duration for people: `850 ms`, `2.4 s`, `3 min 5 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** `2026-11-29 14:03:07 UTC`: unambiguous on a server-rendered page that does not know the reader's zone. */
export function formatTimestamp(iso: string | Date | null | undefined): string {
  if (!iso) return '—';
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function durationBetween(start: string | Date, end: string | Date | null | undefined): number | null {
  if (!end) return null;
  return new Date(end).getTime() - new Date(start).getTime();
}

/** A value of a span attribute as text: strings as they are, everything else as JSON. */
export function attributeText(value: unknown): string {
  if (typeof value === 'string') return value;
  const compact = JSON.stringify(value) ?? String(value);
  // Short values read best on one line; longer structures get indented.
  return compact.length <= 80 ? compact : JSON.stringify(value, null, 2);
}

export function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
