import type { HostSpan } from '../../plugin/host.js';
import type { PhoenixSpan } from './phoenix-spans.js';

const statusOf: Record<string, HostSpan['status']> = { OK: 'ok', ERROR: 'error', UNSET: 'unset' };

/**
 * A Phoenix span as the plugin reads spans. Phoenix moves `openinference.span.kind` out of the attributes into
 * `span_kind`; it is put back, so the plugin reads OpenInference attributes the same from every host.
 */
export function toHostSpan(span: PhoenixSpan): HostSpan {
  const attributes = { ...span.attributes };
  if (span.span_kind && span.span_kind !== 'UNKNOWN') attributes['openinference.span.kind'] = span.span_kind;
  return {
    traceId: span.context.trace_id,
    spanId: span.context.span_id,
    parentSpanId: span.parent_id ?? null,
    name: span.name,
    startTime: span.start_time,
    endTime: span.end_time ?? null,
    attributes,
    status: statusOf[span.status_code] ?? 'unset',
  };
}
