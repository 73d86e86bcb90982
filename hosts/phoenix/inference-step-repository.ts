import type { HostInferenceStep } from '../../plugin/host.js';
import type { ShellSql } from './shell-database.js';

/** Adds a step by name (or renames it); Phoenix shows only steps that already ran. */
export async function saveInferenceStep(sql: ShellSql, projectId: string, step: HostInferenceStep): Promise<void> {
  await sql`
    insert into inference_steps (project_id, external_id, title, type)
    values (${projectId}, ${step.externalId}, ${step.title}, ${step.type})
    on conflict (project_id, external_id) do update set title = excluded.title, type = excluded.type`;
}

export async function listInferenceSteps(sql: ShellSql, projectId: string): Promise<HostInferenceStep[]> {
  const rows = await sql<{ external_id: string; title: string; type: 'llm' | 'retriever' }[]>`
    select external_id, title, type from inference_steps where project_id = ${projectId} order by created_at, external_id`;
  return rows.map((row) => ({ externalId: row.external_id, title: row.title, type: row.type }));
}
