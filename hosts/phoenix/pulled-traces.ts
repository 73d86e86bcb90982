import type { HostSpan } from '../../plugin/host.js';

interface PulledTrace {
  spans: Map<string, HostSpan>;
  pulledAt: number;
}

/**
 * The traces whose spans the plugin pulled lately (`spansAfter`), kept so that evaluating a test a moment after its
 * root span was pulled need not read the same spans back from Phoenix. A kept trace is used only while it is whole
 * (its root is here and every span's parent too) and fresh (a span of it was pulled within `freshMs`: after that
 * the plugin may have stopped pulling the project, and a span stored since would be missing). Otherwise the caller
 * reads Phoenix as before. At most `maxSpans` spans are kept; the traces pulled least lately go first.
 *
 * @example
 * const pulled = createPulledTraces();
 * pulled.add('support-bot', page.spans);
 * const spans = pulled.whole('support-bot', traceId); // undefined: read it from Phoenix
 */
export function createPulledTraces(options: { maxSpans?: number; freshMs?: number; now?: () => number } = {}) {
  const maxSpans = options.maxSpans ?? 20_000;
  const freshMs = options.freshMs ?? 30_000;
  const now = options.now ?? Date.now;
  const traces = new Map<string, PulledTrace>();
  let kept = 0;
  const keyOf = (project: string, traceId: string) => `${project}\n${traceId}`;

  return {
    /** Keeps a page of pulled spans; a span pulled twice (a page read again after a failure) is kept once. */
    add(project: string, spans: readonly HostSpan[]) {
      const at = now();
      for (const span of spans) {
        const key = keyOf(project, span.traceId);
        const trace = traces.get(key) ?? { spans: new Map<string, HostSpan>(), pulledAt: at };
        // Moved to the end: the order of the map is the order of the latest pull, the eviction order.
        traces.delete(key);
        traces.set(key, trace);
        trace.pulledAt = at;
        if (!trace.spans.has(span.spanId)) kept += 1;
        trace.spans.set(span.spanId, span);
      }
      for (const [key, trace] of traces) {
        if (kept <= maxSpans) break;
        traces.delete(key);
        kept -= trace.spans.size;
      }
    },

    /** The trace's spans, when it is whole and fresh (see above); undefined when Phoenix should be asked. */
    whole(project: string, traceId: string): HostSpan[] | undefined {
      const trace = traces.get(keyOf(project, traceId));
      if (!trace || now() - trace.pulledAt > freshMs) return undefined;
      const spans = [...trace.spans.values()];
      const connected = spans.every((span) => !span.parentSpanId || trace.spans.has(span.parentSpanId));
      return connected && spans.some((span) => !span.parentSpanId) ? spans : undefined;
    },
  };
}
