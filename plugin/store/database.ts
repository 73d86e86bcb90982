import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface ExperimentTable {
  id: Generated<string>;
  project_id: string;
  name: string;
  /** Chosen by a client to find the experiment again; unique in the project among experiments not archived. */
  key: ColumnType<string | null, string | null | undefined, string | null>;
  description: Generated<string>;
  status: Generated<string>;
  baseline_config: ColumnType<Record<string, Record<string, unknown>>, string | undefined, string>;
  default_evaluations: ColumnType<Array<Record<string, unknown>>, string | undefined, string>;
  locked_at: Timestamp | null;
  completed_at: Timestamp | null;
  archived_at: Timestamp | null;
  winner_variant_id: string | null;
  /** The host's task source (Phoenix: a dataset and splits) the tasks were chosen from, if any. */
  task_source: Json<{ sourceId: string; splits?: string[] }> | null;
  /** The version of that source the baseline pinned. */
  task_source_version: string | null;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ExperimentStepTable {
  experiment_id: string;
  step_id: string;
  title: string;
  type: 'llm' | 'retriever';
  position: number;
}

export interface ExperimentTaskTable {
  experiment_id: string;
  task_id: string;
  position: number;
  snapshot: Json<Record<string, unknown>> | null;
}

export interface VariantTable {
  id: Generated<string>;
  experiment_id: string;
  parent_id: string | null;
  is_baseline: Generated<boolean>;
  name: string;
  description: Generated<string>;
  override_step: string | null;
  override_parameter: string | null;
  override_value: Json<unknown> | null;
  status: Generated<string>;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface RunTable {
  id: Generated<string>;
  experiment_id: string;
  variant_id: string;
  number: number;
  is_baseline: boolean;
  status: Generated<string>;
  concurrency: number;
  repeats: number;
  trace_timeout_seconds: number;
  task_rule: Generated<string>;
  config: Json<Record<string, Record<string, unknown>>>;
  total: number;
  retries: Generated<number>;
  results_version: Generated<number>;
  /** The `results_version` last written to a host that keeps results (Phoenix), its page there, the last failure. */
  host_results_version: number | null;
  host_results_url: string | null;
  host_results_error: string | null;
  stop_when_decided: Generated<boolean>;
  order_seed: number | null;
  stop_alpha: number | null;
  max_cost: number | null;
  max_tokens: number | null;
  stopped: Json<Record<string, unknown>> | null;
  workflow_id: string;
  error: string | null;
  created_by: string | null;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  /** When the current attempt of the run started (a retry reopens it); null before it starts. */
  resumed_at: Timestamp | null;
  /** Time the run's earlier attempts ran, so its speed is over the time its tests actually ran. */
  earlier_active_ms: Generated<number>;
}

export interface TestTable {
  id: Generated<string>;
  run_id: string;
  task_id: string;
  repeat: number;
  position: number;
  attempt: Generated<number>;
  test_id: string;
  status: Generated<string>;
  trace_id: string | null;
  dispatched_at: Timestamp | null;
  deadline_at: Timestamp | null;
  trace_arrived_at: Timestamp | null;
  finished_at: Timestamp | null;
  error: string | null;
  http_status: number | null;
  output: string | null;
  latency_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cost: number | null;
  cost_note: string | null;
  no_evaluations: Generated<boolean>;
  override_mismatches: Json<Array<Record<string, unknown>>> | null;
  /** Set exactly when `status` is `not_run` (domain/experiment-status.ts `notRunReasons`). */
  not_run_reason: string | null;
}

export interface TestAttemptTable {
  id: Generated<string>;
  test_row_id: string;
  attempt: number;
  test_id: string;
  status: string;
  trace_id: string | null;
  error: string | null;
  finished_at: Timestamp | null;
}

export interface TraceLinkTable {
  id: Generated<string>;
  test_id: string;
  trace_id: string;
  project_id: string;
  kind: 'linked' | 'duplicate' | 'late';
  root_span_at: Timestamp | null;
  received_at: CreatedAt;
}

export interface EvaluationResultTable {
  id: Generated<string>;
  test_row_id: string;
  attempt: number;
  round: Generated<number>;
  position: number;
  evaluator: string;
  source: 'task' | 'experiment';
  config: Json<Record<string, unknown>>;
  score: number | null;
  outcome: 'passed' | 'failed' | 'errored';
  reason: string;
  created_at: CreatedAt;
}

export interface TestStepTable {
  test_row_id: string;
  attempt: number;
  step: string;
  latency_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cost: number | null;
  cost_note: string | null;
  created_at: CreatedAt;
}

/** A project's own settings; `model_prices` extends the shipped and the host's price tables. */
export interface ProjectSettingsTable {
  project_id: string;
  model_prices: Json<Record<string, { inputPerMillion: number; outputPerMillion: number }>>;
  updated_by: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RunSummaryTable {
  run_id: string;
  version: string;
  summary: ColumnType<unknown, string, string>;
  computed_at: CreatedAt;
}

export interface RunPairCountTable {
  run_id: string;
  baseline_key: string;
  version: string;
  pairs: ColumnType<{ pairs: number; regressions: number; improvements: number }, string, string>;
}

export interface ExperimentEventTable {
  id: Generated<string>;
  experiment_id: string;
  at: CreatedAt;
  actor: string;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  details: Json<Record<string, unknown>> | null;
}

export interface HostSpanCursorTable {
  project_id: string;
  cursor: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A run waiting its turn (issue 18): started, in `position` order, once the experiment is free to run. */
export interface RunQueueTable {
  id: Generated<string>;
  position: ColumnType<string, never, never>;
  experiment_id: string;
  variant_id: string;
  settings: Json<Record<string, unknown>>;
  created_by: string | null;
  created_at: CreatedAt;
}

/** The plugin's tables, all in its own Postgres schema. */
export interface Database {
  experiments: ExperimentTable;
  experiment_steps: ExperimentStepTable;
  experiment_tasks: ExperimentTaskTable;
  variants: VariantTable;
  runs: RunTable;
  tests: TestTable;
  test_attempts: TestAttemptTable;
  trace_links: TraceLinkTable;
  evaluation_results: EvaluationResultTable;
  test_steps: TestStepTable;
  project_settings: ProjectSettingsTable;
  run_summaries: RunSummaryTable;
  run_pair_counts: RunPairCountTable;
  experiment_events: ExperimentEventTable;
  host_span_cursors: HostSpanCursorTable;
  run_queue: RunQueueTable;
}

export type Experiment = Selectable<ExperimentTable>;
export type Variant = Selectable<VariantTable>;
