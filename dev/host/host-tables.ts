import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface ProjectTable {
  id: Generated<string>;
  name: string;
  api_key_hash: string;
  api_key_prefix: string;
  created_at: CreatedAt;
}
export type ProjectRow = Selectable<ProjectTable>;

export interface SessionTable {
  token_hash: string;
  project_id: string;
  created_at: CreatedAt;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface TaskTable {
  id: Generated<string>;
  project_id: string;
  title: string;
  prompt: string;
  metadata: Json<Record<string, unknown>> | null;
  expected: string | null;
  evaluations: Json<Array<Record<string, unknown>>> | null;
  created_at: CreatedAt;
}
export type TaskRow = Selectable<TaskTable>;
export type NewTask = Insertable<TaskTable>;

export interface InferenceStepTable {
  project_id: string;
  external_id: string;
  title: string;
  type: 'llm' | 'retriever';
  created_at: CreatedAt;
}

export interface WebhookTable {
  project_id: string;
  url: string;
  secret: string;
  headers: Json<Record<string, string>>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
export type WebhookRow = Selectable<WebhookTable>;

export type SpanStatus = 'unset' | 'ok' | 'error';

export interface SpanTable {
  project_id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: Generated<string>;
  start_time: ColumnType<Date, Date | string, Date | string>;
  end_time: ColumnType<Date | null, Date | string | null, Date | string | null>;
  attributes: Json<Record<string, unknown>>;
  resource: Json<Record<string, unknown>>;
  status: ColumnType<SpanStatus, SpanStatus | undefined, SpanStatus>;
  status_message: string | null;
  ingested_at: CreatedAt;
}
export type SpanRow = Selectable<SpanTable>;
export type NewSpan = Insertable<SpanTable>;

/** The reference host's tables, all in the Postgres schema `host`. */
export interface HostDatabase {
  projects: ProjectTable;
  sessions: SessionTable;
  tasks: TaskTable;
  inference_steps: InferenceStepTable;
  webhooks: WebhookTable;
  spans: SpanTable;
}
