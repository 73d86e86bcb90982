import type { ExperimentsHost, HostSpan } from '../host.js';
import type { Db } from '../store/connect.js';
import { findTestsOverdueForTrace } from '../store/overdue-trace-repository.js';

export interface OverdueTraceLookupOptions {
  db: Db;
  host: ExperimentsHost;
  /** Trace linking, as the span puller uses it (idempotent: a trace found twice is linked once). */
  ingest(projectId: string, spans: HostSpan[]): Promise<void>;
  /** How old a test's webhook is before its trace is looked for by test id, the first time and the second (last). */
  firstAfterMs?: number;
  againAfterMs?: number;
  /** At most one look per project this often, for at most `testsPerLook` tests. */
  everyMs?: number;
  testsPerLook?: number;
  now?: () => number;
}

// Span reading keeps a span that commits late for 15 s and 200 ids (hosts/phoenix/phoenix-spans.ts): a trace still
// missing 5 s after that was missed, or was never sent. A few such tests each look ask the host once per id.
const defaults = { firstAfterMs: 20_000, againAfterMs: 60_000, everyMs: 5_000, testsPerLook: 20 };
// Span start times come from the application's clock, which may be behind the plugin's.
const clockSkewMs = 60_000;
const rememberedTests = 10_000;

/**
 * For pulled hosts (`traces.findByTestIds`): the fallback behind span reading. A span committed later or further
 * back than span reading looks (Phoenix on Postgres, a slow writer) is never read by it; so a test whose webhook
 * went out `firstAfterMs` ago and that has no trace linked is looked for by its test id, once, and once more after
 * `againAfterMs`; what is found is linked like pulled spans. Bounded: a look per project every `everyMs`, for at
 * most `testsPerLook` tests, each search limited to spans started since the test's webhook (less the clock skew).
 */
export function createOverdueTraceLookup(options: OverdueTraceLookupOptions) {
  const findByTestIds = options.host.traces.findByTestIds?.bind(options.host.traces);
  if (!findByTestIds) return null;
  const { firstAfterMs, againAfterMs, everyMs, testsPerLook } = { ...defaults, ...options };
  const now = options.now ?? Date.now;
  const lastLook = new Map<string, number>();
  const looks = new Map<string, number>();

  return {
    /** Looks for the project's overdue traces when its turn has come; returns how many traces were found. */
    async look(projectId: string): Promise<number> {
      const at = now();
      if (at - (lastLook.get(projectId) ?? -Infinity) < everyMs) return 0;
      lastLook.set(projectId, at);
      const overdue = await findTestsOverdueForTrace(options.db, projectId, { olderThanMs: firstAfterMs, limit: 10 * testsPerLook });
      const due = overdue
        .filter((test) => {
          const asked = looks.get(test.testId) ?? 0;
          return asked === 0 || (asked === 1 && at - test.dispatchedAt.getTime() >= againAfterMs);
        })
        .slice(0, testsPerLook);
      if (due.length === 0) return 0;
      const since = new Date(Math.min(...due.map((test) => test.dispatchedAt.getTime())) - clockSkewMs);
      const traces = await findByTestIds(projectId, due.map((test) => test.testId), { since });
      const spans = traces.flatMap((trace) => trace.spans);
      if (spans.length > 0) await options.ingest(projectId, spans);
      // Counted once asked and linked: a look that failed is tried again at the next turn.
      for (const test of due) {
        const asked = looks.get(test.testId) ?? 0;
        // Moved to the end, so the tests forgotten first are those asked about least lately.
        looks.delete(test.testId);
        looks.set(test.testId, asked + 1);
      }
      for (const testId of looks.keys()) {
        if (looks.size <= rememberedTests) break;
        looks.delete(testId);
      }
      return traces.length;
    },
  };
}

export type OverdueTraceLookup = NonNullable<ReturnType<typeof createOverdueTraceLookup>>;
