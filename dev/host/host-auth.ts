import { parse } from 'hono/utils/cookie';
import type { HostPrincipal } from '../../plugin/host.js';
import type { HostDb } from './host-database.js';
import type { ProjectRow } from './host-tables.js';
import { findSessionProject } from './session-repository.js';

/** The browser session cookie: a random token whose hash is in `host.sessions`. */
export const sessionCookie = 'host_session';

/** The caller's project, from the `x-api-key` header or else the session cookie. */
export async function authenticatedProject(
  db: HostDb,
  projectByApiKey: (apiKey: string) => Promise<ProjectRow | undefined>,
  request: Request,
): Promise<ProjectRow | undefined> {
  const apiKey = request.headers.get('x-api-key');
  // A key that is sent but wrong is a failed login, even with a valid cookie beside it.
  if (apiKey !== null) return apiKey === '' ? undefined : projectByApiKey(apiKey);
  const token = parse(request.headers.get('cookie') ?? '', sessionCookie)[sessionCookie];
  return token ? findSessionProject(db, token) : undefined;
}

/** The principal the plugin sees. The reference host has one user per key; everyone is a member. */
export function principalOf(project: ProjectRow): HostPrincipal {
  return { projectId: project.id, userId: `key:${project.api_key_prefix}`, roles: ['member'] };
}
