import type { HostDb } from './host-database.js';
import { generateSessionToken, sha256 } from './host-secrets.js';
import type { ProjectRow } from './host-tables.js';

/** How long a browser session lasts. */
export const sessionMaxAgeSeconds = 30 * 24 * 60 * 60;

/** Starts a session for a project; returns the token for the cookie (only its hash is stored). */
export async function createSession(db: HostDb, projectId: string): Promise<string> {
  const token = generateSessionToken();
  // Logging in is rare enough to carry the clean-up of sessions that have run out.
  await db.deleteFrom('sessions').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('sessions')
    .values({ token_hash: sha256(token), project_id: projectId, expires_at: new Date(Date.now() + sessionMaxAgeSeconds * 1000) })
    .execute();
  return token;
}

export function findSessionProject(db: HostDb, token: string): Promise<ProjectRow | undefined> {
  return db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .selectAll('projects')
    .where('sessions.token_hash', '=', sha256(token))
    .where('sessions.expires_at', '>', new Date())
    .executeTakeFirst();
}

export async function deleteSession(db: HostDb, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
}
