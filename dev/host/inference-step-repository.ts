import { sql } from 'kysely';
import type { HostInferenceStep } from '../../plugin/host.js';
import type { HostDb } from './host-database.js';

/** Adds a step to a project's catalog, or updates the one with the same external id. */
export async function saveInferenceStep(
  db: HostDb,
  projectId: string,
  step: HostInferenceStep,
): Promise<{ step: HostInferenceStep; created: boolean }> {
  const row = await db
    .insertInto('inference_steps')
    .values({ project_id: projectId, external_id: step.externalId, title: step.title, type: step.type })
    .onConflict((oc) =>
      oc.columns(['project_id', 'external_id']).doUpdateSet((eb) => ({ title: eb.ref('excluded.title'), type: eb.ref('excluded.type') })),
    )
    // xmax is 0 only for a row this statement inserted, which tells a create from an update in one round trip.
    .returning(['external_id', 'title', 'type', sql<boolean>`xmax = 0`.as('inserted')])
    .executeTakeFirstOrThrow();
  return { step: { externalId: row.external_id, title: row.title, type: row.type }, created: row.inserted };
}

export async function listInferenceSteps(db: HostDb, projectId: string): Promise<HostInferenceStep[]> {
  const rows = await db
    .selectFrom('inference_steps')
    .select(['external_id', 'title', 'type'])
    .where('project_id', '=', projectId)
    .orderBy('created_at')
    .orderBy('external_id')
    .execute();
  return rows.map((row) => ({ externalId: row.external_id, title: row.title, type: row.type }));
}
