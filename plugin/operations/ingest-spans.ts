import type { HostSpan } from '../host.js';
import { linkSpans } from '../traces/link-spans.js';
import type { PluginContext } from './plugin-context.js';

/**
 * Takes spans the host has stored (in process, or through the signed span hook): links the traces that carry a
 * test id to their tests and queues them for evaluation; returns once the links are stored.
 */
export function ingestSpans(context: PluginContext, projectId: string, spans: HostSpan[]): Promise<void> {
  return linkSpans(context, projectId, spans);
}
