import type { ShellSql } from './shell-database.js';
import { generateApiKey, keyPrefix, sha256 } from './shell-secrets.js';

/** A shell project: an API key, and the Phoenix project (and dataset) it stands for. */
export interface ShellProject {
  id: string;
  name: string;
  apiKeyPrefix: string;
  phoenixProject: string;
  datasetId: string | null;
}

interface ProjectRow {
  id: string;
  name: string;
  api_key_prefix: string;
  phoenix_project: string;
  dataset_id: string | null;
}

const toProject = (row: ProjectRow): ShellProject => ({
  id: row.id,
  name: row.name,
  apiKeyPrefix: row.api_key_prefix,
  phoenixProject: row.phoenix_project,
  datasetId: row.dataset_id,
});

/**
 * Creates a project, or returns the one that already has this API key (a restart with the same key adds nothing).
 * `apiKey` is returned only when it was generated here.
 */
export async function createProject(
  sql: ShellSql,
  input: { name: string; phoenixProject: string; apiKey?: string; datasetId?: string },
): Promise<ShellProject & { apiKey: string; created: boolean }> {
  const apiKey = input.apiKey ?? generateApiKey();
  const [inserted] = await sql<ProjectRow[]>`
    insert into projects (name, api_key_hash, api_key_prefix, phoenix_project, dataset_id)
    values (${input.name}, ${sha256(apiKey)}, ${keyPrefix(apiKey)}, ${input.phoenixProject}, ${input.datasetId ?? null})
    on conflict (api_key_hash) do nothing
    returning *`;
  if (inserted) return { ...toProject(inserted), apiKey, created: true };
  const existing = await findProjectByApiKey(sql, apiKey);
  if (!existing) throw new Error('The project with this API key disappeared while it was being created.');
  return { ...existing, apiKey, created: false };
}

export async function findProjectByApiKey(sql: ShellSql, apiKey: string): Promise<ShellProject | undefined> {
  const [row] = await sql<ProjectRow[]>`select * from projects where api_key_hash = ${sha256(apiKey)}`;
  return row ? toProject(row) : undefined;
}

export async function getProject(sql: ShellSql, id: string): Promise<ShellProject | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await sql<ProjectRow[]>`select * from projects where id = ${id}`;
  return row ? toProject(row) : undefined;
}

/** Chooses the Phoenix dataset whose examples are the project's tasks (null: none). */
export async function setProjectDataset(sql: ShellSql, projectId: string, datasetId: string | null): Promise<void> {
  await sql`update projects set dataset_id = ${datasetId} where id = ${projectId}`;
}
