import { setTimeout as sleep } from 'node:timers/promises';
import { ExperimentsError } from '../errors.js';
import type { ExperimentsHost, HostSpan } from '../host.js';
import type { Db } from '../store/connect.js';
import { hasOtherOpenRun, lockSpanCursor, projectsWithOpenRuns, saveSpanCursor } from '../store/span-cursor-repository.js';
import { createOverdueTraceLookup } from './overdue-trace-lookup.js';

export interface SpanPullerOptions {
  db: Db;
  host: ExperimentsHost;
  /** Takes a page of spans (links traces to tests); it must be idempotent, a page may come twice after a failure. */
  ingest(projectId: string, spans: HostSpan[]): Promise<void>;
  intervalMs: number;
  /** Spans asked for per call, and calls per project per round: what one round may cost the host. */
  pageSize?: number;
  maxPagesPerRound?: number;
  /** How many parts of a page are linked at once (default 4). */
  linkParts?: number;
  log?: (message: string) => void;
}

export interface SpanPuller {
  /** One round: each project with a run in progress, its new spans read and ingested. Returns how many spans. */
  pullOnce(): Promise<number>;
  /** A round every `intervalMs` (or as soon as the last one ends, when it took longer or more is waiting) until `stop()`. */
  start(): void;
  stop(): Promise<void>;
}

/**
 * For hosts the plugin pulls from (`traces.spansAfter`, Phoenix): while a project has a run in progress, reads the
 * spans the host stored since the project's cursor and hands them to trace linking. The cursor lives in Postgres
 * and moves only after its spans were ingested, so a host (or this process) that is down for a while loses
 * nothing: the next round continues where the last good one ended, and linking counts a trace once. Each call reads
 * at most `pageSize` spans after the cursor; no call scans the project. The cursor row is locked while read, so two
 * processes never read the same project at once. Behind it, on hosts that can find traces by test id, tests still
 * without a trace well after their webhook are looked for by id (`overdue-trace-lookup.ts`): what span reading missed.
 */
export function createSpanPuller(options: SpanPullerOptions): SpanPuller | null {
  const { db, host } = options;
  const spansAfter = host.traces.spansAfter?.bind(host.traces);
  if (!spansAfter) return null;
  const pageSize = options.pageSize ?? 500;
  const maxPages = options.maxPagesPerRound ?? 10;
  const linkParts = options.linkParts ?? 4;
  const log = options.log ?? ((message: string) => console.warn(message));
  const failing = new Map<string, string>();
  const overdue = createOverdueTraceLookup({ db, host, ingest: options.ingest });
  let backlog = false;

  /**
   * Links a page in a few parts at once, each trace whole in one part: linking writes one test after another, and
   * under load a page of a busy run otherwise takes longer to link than the next page takes to arrive. All parts are
   * let finish before a failure is passed on, so the round's cursor is rolled back only after every write ended.
   */
  async function ingestPage(projectId: string, spans: HostSpan[]): Promise<void> {
    const partOf = new Map<string, number>();
    const parts: HostSpan[][] = [];
    for (const span of spans) {
      let part = partOf.get(span.traceId);
      if (part === undefined) partOf.set(span.traceId, (part = partOf.size % linkParts));
      (parts[part] ??= []).push(span);
    }
    const results = await Promise.allSettled(parts.map((part) => options.ingest(projectId, part)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The spans read, and whether this process read all there were (not when another holds the project). */
  async function pullProject(projectId: string): Promise<{ pulled: number; caughtUp: boolean }> {
    return db.transaction().execute(async (trx) => {
      let cursor = await lockSpanCursor(trx, projectId, { skipLocked: true });
      if (cursor === undefined) return { pulled: 0, caughtUp: false };
      if (cursor === null) {
        // Only when a run was started without `prepareSpanCursor` (an older plugin): from now on.
        await saveSpanCursor(trx, projectId, (await spansAfter!(projectId, undefined, pageSize)).cursor);
        return { pulled: 0, caughtUp: true };
      }
      let pulled = 0;
      for (let page = 0; page < maxPages; page++) {
        const next = await spansAfter!(projectId, cursor, pageSize);
        if (next.spans.length > 0) await ingestPage(projectId, next.spans);
        pulled += next.spans.length;
        if (next.cursor !== cursor) {
          cursor = next.cursor;
          await saveSpanCursor(trx, projectId, cursor);
        }
        if (!next.more) return { pulled, caughtUp: true };
      }
      backlog = true;
      return { pulled, caughtUp: false };
    });
  }

  async function pullOnce(): Promise<number> {
    backlog = false;
    let pulled = 0;
    for (const projectId of await projectsWithOpenRuns(db)) {
      try {
        const round = await pullProject(projectId);
        pulled += round.pulled;
        // Only once span reading is up to date: a trace in a page not read yet is not missed.
        if (round.caughtUp && overdue) await overdue.look(projectId);
        if (failing.delete(projectId)) log(`experiments: reading spans of project ${projectId} works again`);
      } catch (error) {
        const message = (error as Error).message;
        // Said once per outage, not every round: the next round tries again from the same cursor.
        if (failing.get(projectId) !== message) log(`experiments: reading spans of project ${projectId} failed, will retry: ${message}`);
        failing.set(projectId, message);
      }
    }
    return pulled;
  }

  const stopping = new AbortController();
  let loop: Promise<void> | undefined;
  return {
    pullOnce,
    start() {
      loop ??= (async () => {
        while (!stopping.signal.aborted) {
          const started = Date.now();
          try {
            await pullOnce();
          } catch (error) {
            log(`experiments: looking for runs in progress failed, will retry: ${(error as Error).message}`);
          }
          if (backlog) continue;
          // Rounds start every `intervalMs`: the time a round took linking what it read is not added to the wait.
          const waitMs = options.intervalMs - (Date.now() - started);
          if (waitMs > 0) await sleep(waitMs, undefined, { signal: stopping.signal }).catch(() => undefined);
        }
      })();
    },
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}

/**
 * Before a run of the project starts (or restarts), on a pulled host: when no other run of the project is in
 * progress, span reading starts from the host's newest span, so the run's traces are read and nothing older.
 * A host that cannot be reached refuses the start (503): without a cursor the run's traces could not be found.
 */
export async function prepareSpanCursor(db: Db, host: ExperimentsHost, projectId: string, runId?: string): Promise<void> {
  const spansAfter = host.traces.spansAfter?.bind(host.traces);
  if (!spansAfter) return;
  await db.transaction().execute(async (trx) => {
    const cursor = await lockSpanCursor(trx, projectId, { skipLocked: false });
    if (cursor !== null && (await hasOtherOpenRun(trx, projectId, runId))) return;
    let start: string;
    try {
      start = (await spansAfter(projectId, undefined, 1)).cursor;
    } catch (error) {
      throw new ExperimentsError(
        'unavailable',
        `The host's traces could not be reached, so the run was not started: ${(error as Error).message}`,
      );
    }
    await saveSpanCursor(trx, projectId, start);
  });
}
