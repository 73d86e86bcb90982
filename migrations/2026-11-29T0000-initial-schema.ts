import { sql, type Kysely } from 'kysely';

// Written against Kysely<any> and with its own value lists, so later code changes never change it.
// The migrator runs it inside the plugin's schema (`db.withSchema(...)`).

const inList = (column: string, values: string[]) =>
  sql`${sql.ref(column)} in (${sql.join(values.map((value) => sql.lit(value)))})`;

const experimentStatuses = ['draft', 'baseline_pending', 'running_baseline', 'baseline_complete', 'baseline_failed', 'running_variant', 'idle', 'completed', 'archived'];
const variantStatuses = ['draft', 'running', 'completed', 'failed', 'cancelled'];
const runStatuses = ['pending', 'running', 'completed', 'failed', 'cancelled'];
const testStatuses = ['pending', 'dispatched', 'awaiting_trace', 'evaluating', 'passed', 'failed', 'errored', 'timed_out'];
const parameters = ['system', 'temperature', 'top_p', 'max_tokens', 'model', 'verbosity'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('experiments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(inList('status', experimentStatuses)))
    .addColumn('baseline_config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('default_evaluations', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('locked_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('archived_at', 'timestamptz')
    .addColumn('winner_variant_id', 'uuid')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('experiments_project_id_id_key', ['project_id', 'id'])
    .execute();
  await db.schema.createIndex('experiments_project_created_idx').on('experiments').columns(['project_id', 'created_at desc']).execute();

  await db.schema
    .createTable('experiment_steps')
    .addColumn('experiment_id', 'uuid', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(inList('type', ['llm', 'retriever'])))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_steps_pkey', ['experiment_id', 'step_id'])
    .execute();

  await db.schema
    .createTable('experiment_tasks')
    .addColumn('experiment_id', 'uuid', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    // The task as it was when the baseline started: every variant runs the same task content.
    .addColumn('snapshot', 'jsonb')
    .addPrimaryKeyConstraint('experiment_tasks_pkey', ['experiment_id', 'task_id'])
    .execute();

  await db.schema
    .createTable('variants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('experiment_id', 'uuid', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('parent_id', 'uuid')
    .addColumn('is_baseline', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('override_step', 'text')
    .addColumn('override_parameter', 'text', (c) => c.check(inList('override_parameter', parameters)))
    .addColumn('override_value', 'jsonb')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(inList('status', variantStatuses)))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addUniqueConstraint('variants_experiment_id_id_key', ['experiment_id', 'id'])
    // A parent must belong to the same experiment.
    .addForeignKeyConstraint('variants_parent_fkey', ['experiment_id', 'parent_id'], 'variants', ['experiment_id', 'id'])
    .addCheckConstraint(
      'variants_shape_check',
      sql`(is_baseline and parent_id is null and override_step is null and override_parameter is null and override_value is null)
       or (not is_baseline and parent_id is not null and override_step is not null and override_parameter is not null and override_value is not null)`,
    )
    .execute();
  await db.schema.createIndex('variants_one_baseline_idx').on('variants').column('experiment_id').unique().where(sql<boolean>`is_baseline`).execute();

  await db.schema
    .alterTable('experiments')
    .addForeignKeyConstraint('experiments_winner_fkey', ['id', 'winner_variant_id'], 'variants', ['experiment_id', 'id'])
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('experiment_id', 'uuid', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('variant_id', 'uuid', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('is_baseline', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(inList('status', runStatuses)))
    .addColumn('concurrency', 'integer', (c) => c.notNull().check(sql`concurrency between 1 and 1000`))
    .addColumn('repeats', 'integer', (c) => c.notNull().check(sql`repeats between 1 and 100`))
    .addColumn('trace_timeout_seconds', 'integer', (c) => c.notNull().check(sql`trace_timeout_seconds between 1 and 86400`))
    .addColumn('task_rule', 'text', (c) => c.notNull().defaultTo('all').check(inList('task_rule', ['all', 'majority', 'any'])))
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull().check(sql`total >= 0`))
    // Each retry in place is a new workflow execution: `experiment-run-<id>` then `-retry-<n>`.
    .addColumn('retries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('error', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addForeignKeyConstraint('runs_variant_fkey', ['experiment_id', 'variant_id'], 'variants', ['experiment_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addUniqueConstraint('runs_variant_number_key', ['variant_id', 'number'])
    .execute();
  // One run at a time per experiment, kept by the database too.
  await db.schema
    .createIndex('runs_one_active_per_experiment_idx')
    .on('runs')
    .column('experiment_id')
    .unique()
    .where(sql<boolean>`status in ('pending', 'running')`)
    .execute();

  await db.schema
    .createTable('tests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('repeat', 'integer', (c) => c.notNull().check(sql`repeat >= 0`))
    // task index × repeats + repeat: the order tests are dispatched in, unique per run.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    // The id sent to the application (webhook-id); a retry in place gets a new one.
    .addColumn('test_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(inList('status', testStatuses)))
    .addColumn('trace_id', 'text')
    .addColumn('dispatched_at', 'timestamptz')
    .addColumn('deadline_at', 'timestamptz')
    .addColumn('trace_arrived_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('http_status', 'integer')
    .addColumn('output', 'text')
    .addColumn('latency_ms', 'double precision')
    .addColumn('input_tokens', 'integer')
    .addColumn('output_tokens', 'integer')
    .addColumn('cost', 'double precision')
    .addColumn('no_evaluations', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('override_mismatches', 'jsonb')
    .addUniqueConstraint('tests_run_task_repeat_key', ['run_id', 'task_id', 'repeat'])
    .execute();
  await db.schema.createIndex('tests_run_status_idx').on('tests').columns(['run_id', 'status']).execute();
  await db.schema.createIndex('tests_run_position_idx').on('tests').columns(['run_id', 'position']).unique().execute();

  await db.schema
    .createTable('test_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('test_row_id', 'uuid', (c) => c.notNull().references('tests.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('test_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('trace_id', 'text')
    .addColumn('error', 'text')
    .addColumn('finished_at', 'timestamptz')
    .addUniqueConstraint('test_attempts_row_attempt_key', ['test_row_id', 'attempt'])
    .execute();

  await db.schema
    .createTable('trace_links')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('test_id', 'uuid', (c) => c.notNull())
    .addColumn('trace_id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(inList('kind', ['linked', 'duplicate', 'late'])))
    .addColumn('root_span_at', 'timestamptz')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('trace_links_test_trace_key', ['test_id', 'trace_id'])
    .execute();
  await db.schema.createIndex('trace_links_trace_idx').on('trace_links').columns(['project_id', 'trace_id']).execute();

  await db.schema
    .createTable('evaluation_results')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('test_row_id', 'uuid', (c) => c.notNull().references('tests.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    // Re-evaluation adds a round and keeps the earlier ones.
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('evaluator', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(inList('source', ['task', 'experiment'])))
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('score', 'double precision')
    .addColumn('outcome', 'text', (c) => c.notNull().check(inList('outcome', ['passed', 'failed', 'errored'])))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('evaluation_results_once_key', ['test_row_id', 'attempt', 'round', 'position'])
    .execute();

  await db.schema
    .createTable('experiment_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('experiment_id', 'uuid', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('reason', 'text')
    .addColumn('details', 'jsonb')
    .execute();
  await db.schema.createIndex('experiment_events_experiment_idx').on('experiment_events').columns(['experiment_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['experiment_events', 'evaluation_results', 'trace_links', 'test_attempts', 'tests', 'runs']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('experiments').dropConstraint('experiments_winner_fkey').execute();
  for (const table of ['variants', 'experiment_tasks', 'experiment_steps', 'experiments']) {
    await db.schema.dropTable(table).execute();
  }
}
