import { sql } from 'kysely';
import { jsonb, type HostDb } from './host-database.js';
import { generateWebhookSecret } from './host-secrets.js';
import type { WebhookRow } from './host-tables.js';

export interface WebhookInput {
  url: string;
  headers?: Record<string, string>;
  /** Replace the signing secret; otherwise an existing secret is kept. */
  rotateSecret?: boolean;
}

/**
 * Sets a project's webhook target. The secret is generated on the first save (and on rotation) and returned
 * only then; `secret` is absent when the stored one was kept.
 */
export async function saveWebhook(
  db: HostDb,
  projectId: string,
  input: WebhookInput,
): Promise<{ url: string; headers: Record<string, string>; secret?: string }> {
  const rotate = input.rotateSecret === true;
  // One statement, so two first saves racing each other still leave exactly one secret, shown to the winner.
  const row = await db
    .insertInto('webhooks')
    .values({ project_id: projectId, url: input.url, headers: jsonb(input.headers ?? {}), secret: generateWebhookSecret() })
    .onConflict((oc) =>
      oc.column('project_id').doUpdateSet((eb) => ({
        url: eb.ref('excluded.url'),
        headers: eb.ref('excluded.headers'),
        updated_at: sql<Date>`now()`,
        ...(rotate ? { secret: eb.ref('excluded.secret') } : {}),
      })),
    )
    .returning(['url', 'headers', 'secret', sql<boolean>`xmax = 0`.as('inserted')])
    .executeTakeFirstOrThrow();
  return { url: row.url, headers: row.headers, ...(row.inserted || rotate ? { secret: row.secret } : {}) };
}

export function getWebhook(db: HostDb, projectId: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('project_id', '=', projectId).executeTakeFirst();
}
