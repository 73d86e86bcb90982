import type { ShellSql } from './shell-database.js';
import { generateSessionToken, sha256 } from './shell-secrets.js';
import { getProject, type ShellProject } from './project-repository.js';

/** How long a browser session lasts. */
export const sessionMaxAgeSeconds = 30 * 24 * 60 * 60;

/** Starts a session for a project; returns the token for the cookie (only its hash is stored). */
export async function createSession(sql: ShellSql, projectId: string): Promise<string> {
  const token = generateSessionToken();
  // Logging in is rare enough to carry the clean-up of sessions that have run out.
  await sql`delete from sessions where expires_at < now()`;
  await sql`
    insert into sessions (token_hash, project_id, expires_at)
    values (${sha256(token)}, ${projectId}, ${new Date(Date.now() + sessionMaxAgeSeconds * 1000)})`;
  return token;
}

export async function findSessionProject(sql: ShellSql, token: string): Promise<ShellProject | undefined> {
  const [row] = await sql<{ project_id: string }[]>`
    select project_id from sessions where token_hash = ${sha256(token)} and expires_at > now()`;
  return row ? getProject(sql, row.project_id) : undefined;
}

export async function deleteSession(sql: ShellSql, token: string): Promise<void> {
  await sql`delete from sessions where token_hash = ${sha256(token)}`;
}
