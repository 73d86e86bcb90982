import type { ShellSql } from './shell-database.js';
import { generateWebhookSecret } from './shell-secrets.js';

/** Where a project's application takes test webhooks, and the secret they are signed with. */
export interface ShellWebhook {
  url: string;
  secret: string;
  headers: Record<string, string>;
  updatedAt: Date;
}

/** The project's webhook, or undefined when none is set. */
export async function getWebhook(sql: ShellSql, projectId: string): Promise<ShellWebhook | undefined> {
  const [row] = await sql<{ url: string; secret: string; headers: Record<string, string>; updated_at: Date }[]>`
    select url, secret, headers, updated_at from webhooks where project_id = ${projectId}`;
  return row ? { url: row.url, secret: row.secret, headers: row.headers, updatedAt: row.updated_at } : undefined;
}

/**
 * Sets the webhook. A new secret is made when there is none yet, when `rotateSecret` asks for it, or when
 * `secret` gives one; `secret` in the answer is set only then (a secret is shown once).
 */
export async function saveWebhook(
  sql: ShellSql,
  projectId: string,
  input: { url: string; headers?: Record<string, string>; rotateSecret?: boolean; secret?: string },
): Promise<{ url: string; headers: Record<string, string>; secret?: string }> {
  const existing = await getWebhook(sql, projectId);
  const newSecret = input.secret ?? (!existing || input.rotateSecret ? generateWebhookSecret() : undefined);
  const headers = input.headers ?? existing?.headers ?? {};
  await sql`
    insert into webhooks (project_id, url, secret, headers, updated_at)
    values (${projectId}, ${input.url}, ${newSecret ?? existing!.secret}, ${sql.json(headers)}, now())
    on conflict (project_id) do update
      set url = excluded.url, secret = excluded.secret, headers = excluded.headers, updated_at = now()`;
  return { url: input.url, headers, ...(newSecret ? { secret: newSecret } : {}) };
}
