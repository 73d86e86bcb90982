import type { HostDb } from './host-database.js';
import type { ProjectRow } from './host-tables.js';
import { findProjectByApiKey } from './project-repository.js';

const maxAgeMs = 60_000;
const maxEntries = 1_000;

/**
 * Projects by API key, remembered for a minute. Every OTLP export and API call presents its key; asking
 * Postgres each time was one round trip per request in the ingestion profile. The reference host cannot
 * revoke or change a key, so a remembered answer is never stale; an unknown key is asked about every time.
 */
export function createProjectKeyCache(db: HostDb) {
  const entries = new Map<string, { project: ProjectRow; at: number }>();
  return async function projectByApiKey(apiKey: string): Promise<ProjectRow | undefined> {
    const hit = entries.get(apiKey);
    if (hit && Date.now() - hit.at < maxAgeMs) return hit.project;
    const project = await findProjectByApiKey(db, apiKey);
    entries.delete(apiKey);
    if (project) {
      // Oldest first: a Map iterates in insertion order.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(apiKey, { project, at: Date.now() });
    }
    return project;
  };
}
