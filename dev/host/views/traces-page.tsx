import type { TraceSummary } from '../span-repository.js';
import { formatDuration, formatTimestamp } from './host-format.js';

export interface TracesPageProps {
  traces: TraceSummary[];
  nextCursor?: string;
  /** True when this page was reached with a cursor, so "newest" can be offered. */
  paged: boolean;
}

/** The traces list: newest first, one row per trace. */
export function TracesPage({ traces, nextCursor, paged }: TracesPageProps) {
  return (
    <section>
      <h1>Traces</h1>
      {traces.length === 0 ? (
        <p class="empty">
          No traces yet. Send OpenTelemetry spans as OTLP/HTTP JSON to <code>POST /v1/traces</code>, or a plain JSON trace to{' '}
          <code>POST /api/traces</code>, with your project's <code>x-api-key</code>.
        </p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Started</th>
              <th scope="col" class="num">
                Duration
              </th>
              <th scope="col" class="num">
                Spans
              </th>
              <th scope="col">Test id</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {traces.map((trace) => (
              <tr data-trace-id={trace.traceId}>
                <td>
                  <a href={`/traces/${trace.traceId}`}>{trace.name}</a>
                </td>
                <td>{formatTimestamp(trace.startTime)}</td>
                <td class="num">{formatDuration(trace.durationMs)}</td>
                <td class="num">{trace.spanCount}</td>
                <td>{trace.testId ? <code class="test-id">{trace.testId}</code> : <span class="muted">—</span>}</td>
                <td>
                  <span class={`status status-${trace.status}`}>{trace.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {paged ? <a href="/traces">Newest</a> : null}
        {nextCursor ? (
          <a href={`/traces?cursor=${encodeURIComponent(nextCursor)}`} rel="next">
            Older traces
          </a>
        ) : null}
      </nav>
    </section>
  );
}
