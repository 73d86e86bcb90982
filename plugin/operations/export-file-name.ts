const maxSlugLength = 60;

/**
 * A name as a portable file-name part: lower case, runs of anything but letters and digits as one hyphen.
 * @example fileSlug('Classifier temperature: 0.2 → 1.6') // 'classifier-temperature-0-2-1-6'
 */
export function fileSlug(name: string, fallback = 'experiment'): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxSlugLength)
    .replace(/-+$/, '');
  return slug || fallback;
}

/** `YYYY-MM-DD` in UTC, the same for every reader. */
export const fileDate = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * The file name of an export, readable and sortable: the experiment's name, what the file holds and the day.
 * @example exportFileName('Classifier temperature', 'results', new Date('2026-12-03'), 'csv') // 'classifier-temperature-results-2026-12-03.csv'
 */
export function exportFileName(experimentName: string, what: string, at: Date, extension: string): string {
  return `${fileSlug(experimentName)}-${what}-${fileDate(at)}.${extension}`;
}

/**
 * A Content-Disposition header value (RFC 6266) for a file name built by `exportFileName`: ASCII already, so the
 * plain `filename` is enough, and quoting it keeps any future character safe.
 */
export function contentDisposition(fileName: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
