import cliProgress from 'cli-progress';
import { isOpenRun, type ApiRun } from '../api/api-types.js';

/** Shows runs as they progress: a bar per run on a terminal, plain lines in a log. */
export interface ProgressDisplay {
  /** The latest state of a run, labelled with the variant's name. */
  track(label: string, run: ApiRun): void;
  /** A line of its own, above the bars on a terminal. */
  note(message: string): void;
  stop(): void;
}

const plainEveryMs = 5_000;

/** `40 passed, 7 failed, 1 errored, 0 timed out` (and `, 12 not run` when some tests were never sent). */
export function countsText(run: Pick<ApiRun, 'counts'>): string {
  const { passed, failed, errored, timedOut, notRun } = run.counts;
  return `${passed} passed, ${failed} failed, ${errored} errored, ${timedOut} timed out${notRun ? `, ${notRun} not run` : ''}`;
}

function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{label} |{bar}| {value}/{total} · {counts} · {status}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const byRun = new Map<string, cliProgress.SingleBar>();
  const finished = new Set<string>();
  return {
    track(label, run) {
      if (finished.has(run.runId)) return;
      const payload = { label: `${label} #${run.number}`, counts: countsText(run), status: run.status };
      const total = Math.max(run.progress.total, 1);
      const bar = byRun.get(run.runId) ?? bars.create(total, run.progress.done, payload);
      byRun.set(run.runId, bar);
      bar.setTotal(total);
      bar.update(run.progress.done, payload);
      // A finished run leaves its bar for a line of text above the live bars, so it stays on screen.
      if (!isOpenRun(run)) {
        finished.add(run.runId);
        bars.remove(bar);
        bars.log(`${payload.label} ${run.status}: ${run.progress.done}/${run.progress.total} done (${payload.counts})\n`);
      }
    },
    note: (message) => bars.log(`${message}\n`),
    stop: () => bars.stop(),
  };
}

function lineDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const shown = new Map<string, { at: number; done: number; status: string }>();
  return {
    track(label, run) {
      const last = shown.get(run.runId);
      const now = Date.now();
      const changed = !last || last.status !== run.status || last.done !== run.progress.done;
      const due = !last || last.status !== run.status || !isOpenRun(run) || now - last.at >= plainEveryMs;
      if (!changed || !due) return;
      shown.set(run.runId, { at: now, done: run.progress.done, status: run.status });
      stream.write(`[${label}] run #${run.number} ${run.status}: ${run.progress.done}/${run.progress.total} done (${countsText(run)})\n`);
    },
    note: (message) => stream.write(`${message}\n`),
    stop: () => {},
  };
}

/** Bars when `stream` is a terminal, else a line per change (at most one per run every few seconds). */
export function createProgressDisplay(stream: NodeJS.WriteStream, options: { tty?: boolean } = {}): ProgressDisplay {
  return (options.tty ?? stream.isTTY === true) ? barDisplay(stream) : lineDisplay(stream);
}
