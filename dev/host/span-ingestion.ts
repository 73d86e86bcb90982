import type { HostDb } from './host-database.js';
import type { HostLog, HostPlugin } from './host-env.js';
import { storeSpans, type IngestedSpan } from './span-repository.js';

/**
 * Stores spans, then tells the plugin. The spans are kept whatever the plugin does: a failing callback is
 * logged, not passed on to the exporter (which would only resend spans we already have).
 */
export async function ingestSpans(deps: { db: HostDb; plugin: HostPlugin | null; log: HostLog }, projectId: string, spans: IngestedSpan[]) {
  if (spans.length === 0) return [];
  const stored = await storeSpans(deps.db, projectId, spans);
  if (deps.plugin) {
    try {
      await deps.plugin.onSpansIngested(projectId, stored);
    } catch (error) {
      deps.log(`The plugin failed to process ${stored.length} ingested span(s) of project ${projectId}; the spans are stored.`, error);
    }
  }
  return stored;
}
