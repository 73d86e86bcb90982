import { parse } from 'hono/utils/cookie';
import type { HostPrincipal } from '../../plugin/host.js';
import { findProjectByApiKey, type ShellProject } from './project-repository.js';
import type { ShellSql } from './shell-database.js';
import { findSessionProject } from './session-repository.js';

/** The browser session cookie: a random token whose hash is in `sessions`. */
export const sessionCookie = 'phoenix_shell_session';

/** The caller's project, from the `x-api-key` header or else the session cookie. */
export async function authenticatedProject(sql: ShellSql, request: Request): Promise<ShellProject | undefined> {
  const apiKey = request.headers.get('x-api-key');
  // A key that is sent but wrong is a failed login, even with a valid cookie beside it.
  if (apiKey !== null) return apiKey === '' || apiKey.length > 500 ? undefined : findProjectByApiKey(sql, apiKey);
  const token = parse(request.headers.get('cookie') ?? '', sessionCookie)[sessionCookie];
  return token ? findSessionProject(sql, token) : undefined;
}

/** The principal the plugin sees: one user per key, a member of its project. */
export function principalOf(project: ShellProject): HostPrincipal {
  return { projectId: project.id, userId: `key:${project.apiKeyPrefix}`, roles: ['member'] };
}
