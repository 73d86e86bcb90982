import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { nextStatus, type ExperimentStatus } from '../domain/experiment-status.js';
import type { ExperimentConfig } from '../domain/parameters.js';
import { effectiveConfig } from '../domain/variant-tree.js';
import { ExperimentsError } from '../errors.js';
import type { HostTask } from '../host.js';
import type { Db } from './connect.js';
import { transitionExperiment } from './experiment-transitions.js';
import { jsonb } from './jsonb.js';
import { listVariants } from './variant-repository.js';
import { runWorkflowId } from '../../workflows/shared.js';

export interface RunSettings {
  concurrency: number;
  repeats: number;
  traceTimeoutSeconds: number;
  taskRule: 'all' | 'majority' | 'any';
}

const insertChunk = 1_000;

/** The config sent for every in-scope step: each step appears, even with no parameters set. */
function scopedConfig(config: ExperimentConfig, steps: string[]): ExperimentConfig {
  return Object.fromEntries(steps.map((step) => [step, { ...(config[step] ?? {}) }]));
}

/**
 * Creates a run and all its tests in one transaction and moves the experiment to running; the
 * database's one-active-run index backs the state machine against a concurrent start.
 * `tasks` is the host's current view of the experiment's tasks (snapshotted when the baseline starts).
 */
export async function createRun(
  db: Db,
  input: { projectId: string; experimentId: string; variantId: string; actor: string; settings: RunSettings; tasks: HostTask[] | null },
) {
  return db.transaction().execute(async (trx) => {
    const experiment = await trx
      .selectFrom('experiments')
      .select(['id', 'status', 'baseline_config'])
      .where('id', '=', input.experimentId)
      .where('project_id', '=', input.projectId)
      .forUpdate()
      .executeTakeFirst();
    if (!experiment) throw new ExperimentsError('not_found', `Experiment ${input.experimentId} was not found.`);
    const variant = await trx
      .selectFrom('variants')
      .select(['id', 'is_baseline', 'name'])
      .where('id', '=', input.variantId)
      .where('experiment_id', '=', input.experimentId)
      .executeTakeFirst();
    if (!variant) throw new ExperimentsError('not_found', `Variant ${input.variantId} was not found in this experiment.`);

    const event = variant.is_baseline ? 'start_baseline' : 'start_variant';
    nextStatus(experiment.status as ExperimentStatus, event);

    const steps = (await trx.selectFrom('experiment_steps').select('step_id').where('experiment_id', '=', input.experimentId).orderBy('position').execute()).map((s) => s.step_id);
    const taskRows = await trx.selectFrom('experiment_tasks').select(['task_id', 'position']).where('experiment_id', '=', input.experimentId).orderBy('position').execute();
    if (steps.length === 0 || taskRows.length === 0) {
      throw new ExperimentsError('conflict', 'Select at least one inference step and one task before running.');
    }

    if (variant.is_baseline) {
      // The baseline fixes the task content every later variant runs against.
      const byId = new Map((input.tasks ?? []).map((task) => [task.id, task]));
      const missing = taskRows.filter((row) => !byId.has(row.task_id)).map((row) => row.task_id);
      if (missing.length > 0) {
        throw new ExperimentsError('unprocessable', `${missing.length} selected task(s) no longer exist in the host; remove them from the experiment first.`, { missing: missing.slice(0, 50) });
      }
      // One statement for all tasks: a baseline may have 10,000 of them.
      const snapshots = taskRows.map((row) => ({ task_id: row.task_id, snapshot: byId.get(row.task_id)! }));
      await sql`update experiment_tasks set snapshot = s.snapshot
        from jsonb_to_recordset(${jsonb(snapshots)}) as s(task_id text, snapshot jsonb)
        where experiment_tasks.experiment_id = ${input.experimentId} and experiment_tasks.task_id = s.task_id`.execute(trx);
    }

    const config = scopedConfig(effectiveConfig(await listVariants(trx, { projectId: input.projectId, experimentId: input.experimentId }), input.variantId, experiment.baseline_config as ExperimentConfig), steps);
    const previous = await trx.selectFrom('runs').select((eb) => eb.fn.max('number').as('n')).where('variant_id', '=', input.variantId).executeTakeFirst();
    const number = Number(previous?.n ?? 0) + 1;
    const runId = randomUUID();
    const { settings } = input;
    const total = taskRows.length * settings.repeats;
    await trx
      .insertInto('runs')
      .values({
        id: runId, experiment_id: input.experimentId, variant_id: input.variantId, number, is_baseline: variant.is_baseline,
        concurrency: settings.concurrency, repeats: settings.repeats, trace_timeout_seconds: settings.traceTimeoutSeconds,
        task_rule: settings.taskRule, config: jsonb(config), total, workflow_id: runWorkflowId(runId), created_by: input.actor,
      })
      .execute();

    const tests = taskRows.flatMap((row, index) =>
      Array.from({ length: settings.repeats }, (_, repeat) => ({
        run_id: runId, task_id: row.task_id, repeat, position: index * settings.repeats + repeat, test_id: randomUUID(),
      })),
    );
    for (let i = 0; i < tests.length; i += insertChunk) await trx.insertInto('tests').values(tests.slice(i, i + insertChunk)).execute();

    await trx.updateTable('variants').set({ status: 'running' }).where('id', '=', input.variantId).execute();
    await transitionExperiment(trx, {
      experimentId: input.experimentId, event, actor: input.actor,
      reason: `${variant.is_baseline ? 'baseline' : `variant "${variant.name}"`} run #${number} started (${total} tests)`,
      details: { runId, variantId: input.variantId },
    });
    return { runId, number, total, config, workflowId: runWorkflowId(runId), isBaseline: variant.is_baseline };
  });
}

/**
 * Puts a finished run's failed, errored and timed-out tests back to pending with new test ids
 * (earlier attempts are kept) and moves the experiment back to running.
 */
export async function prepareRetry(db: Db, input: { projectId: string; experimentId: string; runId: string; actor: string }) {
  return db.transaction().execute(async (trx) => {
    const run = await trx
      .selectFrom('runs')
      .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
      .select(['runs.id', 'runs.status', 'runs.variant_id', 'runs.is_baseline', 'runs.retries', 'runs.number', 'experiments.status as experiment_status'])
      .where('runs.id', '=', input.runId)
      .where('runs.experiment_id', '=', input.experimentId)
      .where('experiments.project_id', '=', input.projectId)
      .forUpdate()
      .executeTakeFirst();
    if (!run) throw new ExperimentsError('not_found', `Run ${input.runId} was not found in this experiment.`);
    if (run.status === 'pending' || run.status === 'running') throw new ExperimentsError('conflict', 'The run is still going; retry it once it has finished.');
    if (run.is_baseline && run.experiment_status !== 'baseline_failed') {
      throw new ExperimentsError('locked', 'The baseline completed and is locked; its results can no longer change. Run a variant instead.');
    }
    const event = run.is_baseline ? 'start_baseline' : 'start_variant';
    nextStatus(run.experiment_status as ExperimentStatus, event);

    await trx
      .insertInto('test_attempts')
      .columns(['test_row_id', 'attempt', 'test_id', 'status', 'trace_id', 'error', 'finished_at'])
      .expression((eb) =>
        eb.selectFrom('tests').select(['id', 'attempt', 'test_id', 'status', 'trace_id', 'error', 'finished_at']).where('run_id', '=', input.runId).where('status', 'in', ['failed', 'errored', 'timed_out']),
      )
      .execute();
    const reset = await trx
      .updateTable('tests')
      .set({
        attempt: sql`attempt + 1`, test_id: sql`gen_random_uuid()`, status: 'pending', trace_id: null, dispatched_at: null, deadline_at: null,
        trace_arrived_at: null, finished_at: null, error: null, http_status: null, output: null, latency_ms: null, input_tokens: null,
        output_tokens: null, cost: null, no_evaluations: false, override_mismatches: null,
      })
      .where('run_id', '=', input.runId)
      .where('status', 'in', ['failed', 'errored', 'timed_out'])
      .executeTakeFirst();
    const count = Number(reset.numUpdatedRows);
    if (count === 0) throw new ExperimentsError('unprocessable', 'The run has no failed, errored or timed-out tests to retry.');

    const retries = run.retries + 1;
    const workflowId = runWorkflowId(input.runId, retries);
    await trx.updateTable('runs').set({ status: 'pending', retries, workflow_id: workflowId, finished_at: null, error: null }).where('id', '=', input.runId).execute();
    await trx.updateTable('variants').set({ status: 'running' }).where('id', '=', run.variant_id).execute();
    await transitionExperiment(trx, {
      experimentId: input.experimentId, event, actor: input.actor,
      reason: `retrying ${count} test(s) of run #${run.number}`, details: { runId: input.runId, retries },
    });
    return { runId: input.runId, retries, workflowId, retried: count };
  });
}
