import type { HostDb } from './host-database.js';
import { generateApiKey, keyPrefix, sha256 } from './host-secrets.js';
import type { ProjectRow } from './host-tables.js';

export interface CreatedProject {
  id: string;
  name: string;
  /** The key in clear: shown once, never stored. */
  apiKey: string;
  apiKeyPrefix: string;
  /** False when `apiKey` was given and already belonged to a project, which is returned unchanged. */
  created: boolean;
}

/**
 * Creates a project with an API key (generated unless given). Giving a key that already exists returns that
 * project, so seeding with a fixed key is safe to repeat.
 *
 * @example
 * const { id, apiKey } = await createProject(db, { name: 'Support bot', apiKey: process.env.DEMO_API_KEY });
 */
export async function createProject(db: HostDb, input: { name: string; apiKey?: string }): Promise<CreatedProject> {
  const apiKey = input.apiKey ?? generateApiKey();
  const inserted = await db
    .insertInto('projects')
    .values({ name: input.name, api_key_hash: sha256(apiKey), api_key_prefix: keyPrefix(apiKey) })
    .onConflict((oc) => oc.column('api_key_hash').doNothing())
    .returning(['id', 'name', 'api_key_prefix'])
    .executeTakeFirst();
  const project = inserted ?? (await findProjectByApiKey(db, apiKey));
  if (!project) throw new Error('The project was neither created nor found.');
  return { id: project.id, name: project.name, apiKey, apiKeyPrefix: project.api_key_prefix, created: inserted !== undefined };
}

export function findProjectByApiKey(db: HostDb, apiKey: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('api_key_hash', '=', sha256(apiKey)).executeTakeFirst();
}

export function getProject(db: HostDb, projectId: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirst();
}
