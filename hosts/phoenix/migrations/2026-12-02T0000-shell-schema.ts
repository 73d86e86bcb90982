import type { ShellSql } from '../shell-database.js';

// Runs inside the shell's schema (search_path), in the migrator's transaction. Never edit once shipped.
export async function up(sql: ShellSql): Promise<void> {
  await sql`
    create table projects (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      api_key_hash text not null unique,
      api_key_prefix text not null,
      -- The Phoenix project the application's traces go to (its name, as in openinference.project.name).
      phoenix_project text not null check (length(phoenix_project) between 1 and 200),
      -- The Phoenix dataset whose examples are the project's tasks until the tab chooses per experiment.
      dataset_id text,
      created_at timestamptz not null default now()
    )`;
  await sql`
    create table sessions (
      token_hash text primary key,
      project_id uuid not null references projects(id) on delete cascade,
      expires_at timestamptz not null
    )`;
  await sql`
    create table webhooks (
      project_id uuid primary key references projects(id) on delete cascade,
      url text not null,
      secret text not null,
      headers jsonb not null default '{}'::jsonb,
      updated_at timestamptz not null default now()
    )`;
  // Steps a user adds by name, beside those seen in Phoenix's spans.
  await sql`
    create table inference_steps (
      project_id uuid not null references projects(id) on delete cascade,
      external_id text not null check (length(external_id) between 1 and 200),
      title text not null,
      type text not null check (type in ('llm', 'retriever')),
      created_at timestamptz not null default clock_timestamp(),
      primary key (project_id, external_id)
    )`;
}
