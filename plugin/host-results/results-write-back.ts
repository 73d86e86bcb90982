import { setTimeout as sleep } from 'node:timers/promises';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import { markRunWriteFailed, markRunWritten, readRunResults, runsToWrite } from '../store/host-results-repository.js';

export interface ResultsWriteBackOptions {
  db: Db;
  host: ExperimentsHost;
  intervalMs: number;
  /** Runs written per round. */
  batch?: number;
  log?: (message: string) => void;
}

export interface ResultsWriteBack {
  /** One round: the finished runs the host has not got yet, written. Returns how many were written. */
  writeOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * For hosts with result views of their own (`results.writeRun`, Phoenix experiments): each completed run over a
 * pinned task source is written to the host, and written again when a re-evaluation changes its results. What was
 * written is recorded per run (the results version), so a host that is down gets the run in a later round, and
 * the host's idempotent write keeps a second attempt from counting anything twice.
 */
export function createResultsWriteBack(options: ResultsWriteBackOptions): ResultsWriteBack | null {
  const { db, host } = options;
  const hostResults = host.results;
  if (!hostResults) return null;
  const writeRun = hostResults.writeRun.bind(hostResults);
  const log = options.log ?? ((message: string) => console.warn(message));
  // A run the host refused is tried again after a while, not every round.
  const retryAt = new Map<string, number>();

  async function writeOnce(): Promise<number> {
    let written = 0;
    for (const run of await runsToWrite(db, options.batch ?? 5)) {
      if ((retryAt.get(run.runId) ?? 0) > Date.now()) continue;
      try {
        const results = await readRunResults(db, run.runId);
        if (!results) continue;
        const { url } = await writeRun(run.projectId, results);
        await markRunWritten(db, run.runId, { resultsVersion: run.resultsVersion, ...(url ? { url } : {}) });
        retryAt.delete(run.runId);
        written += 1;
      } catch (error) {
        const message = (error as Error).message;
        if (!retryAt.has(run.runId)) log(`experiments: writing run ${run.runId} to the host failed, will retry: ${message}`);
        retryAt.set(run.runId, Date.now() + 10 * options.intervalMs);
        await markRunWriteFailed(db, run.runId, message).catch(() => undefined);
      }
    }
    return written;
  }

  const stopping = new AbortController();
  let loop: Promise<void> | undefined;
  return {
    writeOnce,
    start() {
      loop ??= (async () => {
        while (!stopping.signal.aborted) {
          await writeOnce().catch((error: Error) => log(`experiments: looking for runs to write to the host failed: ${error.message}`));
          await sleep(options.intervalMs, undefined, { signal: stopping.signal }).catch(() => undefined);
        }
      })();
    },
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
