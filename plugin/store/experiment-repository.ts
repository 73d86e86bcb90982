import { isUuid } from '../domain/uuid.js';
import { sql } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import type { ExperimentStatus } from '../domain/experiment-status.js';
import type { ExperimentConfig } from '../domain/parameters.js';
import type { HostInferenceStep, HostTask } from '../host.js';
import type { Db } from './connect.js';
import type { Experiment } from './database.js';
import { jsonb } from './jsonb.js';

/** An experiment as the plugin works with it. */
export interface ExperimentRecord {
  id: string;
  projectId: string;
  name: string;
  key: string | null;
  description: string;
  status: ExperimentStatus;
  baselineConfig: ExperimentConfig;
  defaultEvaluations: Array<Record<string, unknown>>;
  lockedAt: Date | null;
  completedAt: Date | null;
  archivedAt: Date | null;
  winnerVariantId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The latest run of an experiment, as shown in lists. */
export interface RunSummary {
  id: string;
  variantId: string;
  number: number;
  isBaseline: boolean;
  status: string;
  total: number;
  createdAt: Date;
  finishedAt: Date | null;
}

/** An experiment with the counts a list shows. */
export interface ExperimentSummary extends ExperimentRecord {
  taskCount: number;
  stepIds: string[];
  variantCount: number;
  latestRun: RunSummary | null;
}

/** An inference step in an experiment's scope, as the host described it when it was selected. */
export interface ExperimentStep {
  externalId: string;
  title: string;
  type: 'llm' | 'retriever';
}

/** One entry of an experiment's event log. */
export interface ExperimentEventRecord {
  id: string;
  at: Date;
  actor: string;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

/** Which experiment, in which project: every read is scoped by both. */
export interface ExperimentScope {
  projectId: string;
  experimentId: string;
}

const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

function toRecord(row: Experiment): ExperimentRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    key: row.key,
    description: row.description,
    status: row.status as ExperimentStatus,
    baselineConfig: row.baseline_config as ExperimentConfig,
    defaultEvaluations: row.default_evaluations,
    lockedAt: toDate(row.locked_at),
    completedAt: toDate(row.completed_at),
    archivedAt: toDate(row.archived_at),
    winnerVariantId: row.winner_variant_id,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Creates a draft experiment. */
export async function createExperiment(
  db: Db,
  input: { projectId: string; name: string; key?: string; description?: string; createdBy: string },
): Promise<ExperimentRecord> {
  const row = await db
    .insertInto('experiments')
    .values({
      project_id: input.projectId,
      name: input.name,
      key: input.key ?? null,
      description: input.description ?? '',
      created_by: input.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

/**
 * The experiment, or undefined when it does not exist in the project. `forUpdate` locks the row until the
 * transaction ends, so edits of one experiment run one after the other.
 */
export async function findExperiment(
  db: Db,
  scope: ExperimentScope,
  options: { forUpdate?: boolean } = {},
): Promise<ExperimentRecord | undefined> {
  if (!isUuid(scope.experimentId)) return undefined;
  const row = await db
    .selectFrom('experiments')
    .selectAll()
    .where('project_id', '=', scope.projectId)
    .where('id', '=', scope.experimentId)
    .$if(options.forUpdate === true, (qb) => qb.forUpdate())
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** A project's experiments, newest first, with their counts and latest run. */
export async function listExperiments(
  db: Db,
  projectId: string,
  filter: { status?: ExperimentStatus; includeArchived: boolean; key?: string },
): Promise<ExperimentSummary[]> {
  const rows = await db
    .selectFrom('experiments as e')
    .selectAll('e')
    .select((eb) => [
      eb
        .selectFrom('experiment_tasks as t')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('t.experiment_id', '=', 'e.id')
        .as('task_count'),
      eb.selectFrom('variants as v').select(eb.fn.countAll<string>().as('n')).whereRef('v.experiment_id', '=', 'e.id').as('variant_count'),
      sql<
        string[]
      >`array(${eb.selectFrom('experiment_steps as s').select('s.step_id').whereRef('s.experiment_id', '=', 'e.id').orderBy('s.position')})`.as(
        'step_ids',
      ),
      // One indexed lookup per experiment; test counts are left to the results, where they are needed.
      jsonObjectFrom(
        eb
          .selectFrom('runs as r')
          .select([
            'r.id',
            'r.variant_id as variantId',
            'r.number',
            'r.is_baseline as isBaseline',
            'r.status',
            'r.total',
            'r.created_at as createdAt',
            'r.finished_at as finishedAt',
          ])
          .whereRef('r.experiment_id', '=', 'e.id')
          .orderBy('r.created_at', 'desc')
          .orderBy('r.number', 'desc')
          .limit(1),
      ).as('latest_run'),
    ])
    .where('e.project_id', '=', projectId)
    .$if(filter.status !== undefined, (qb) => qb.where('e.status', '=', filter.status!))
    .$if(filter.key !== undefined, (qb) => qb.where('e.key', '=', filter.key!))
    .$if(filter.status === undefined && !filter.includeArchived, (qb) => qb.where('e.status', '<>', 'archived'))
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    .execute();
  return rows.map(({ task_count, variant_count, step_ids, latest_run, ...row }) => ({
    ...toRecord(row),
    taskCount: Number(task_count ?? 0),
    stepIds: step_ids,
    variantCount: Number(variant_count ?? 0),
    latestRun: latest_run
      ? {
          ...latest_run,
          createdAt: new Date(latest_run.createdAt),
          finishedAt: latest_run.finishedAt === null ? null : new Date(latest_run.finishedAt),
        }
      : null,
  }));
}

/** Sets the name, description or baseline configuration; call with the row locked by `findExperiment`. */
export async function updateExperiment(
  db: Db,
  experimentId: string,
  changes: { name?: string; description?: string; baselineConfig?: ExperimentConfig },
): Promise<void> {
  await db
    .updateTable('experiments')
    .set({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      ...(changes.baselineConfig === undefined ? {} : { baseline_config: jsonb(changes.baselineConfig) }),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', experimentId)
    .execute();
}

/**
 * Replaces the experiment-level evaluations with a guarded update: false when the experiment's status is no
 * longer `expectedStatus` (a concurrent request moved it).
 */
export async function setDefaultEvaluations(
  db: Db,
  experiment: { id: string; status: string },
  evaluations: ReadonlyArray<Record<string, unknown>>,
): Promise<boolean> {
  const updated = await db
    .updateTable('experiments')
    .set({ default_evaluations: jsonb(evaluations), updated_at: sql<Date>`now()` })
    .where('id', '=', experiment.id)
    .where('status', '=', experiment.status)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** The experiment's inference steps, in the order they were selected. */
export async function listExperimentSteps(db: Db, scope: ExperimentScope): Promise<ExperimentStep[]> {
  const rows = await db
    .selectFrom('experiment_steps as s')
    .innerJoin('experiments as e', 'e.id', 's.experiment_id')
    .select(['s.step_id', 's.title', 's.type'])
    .where('e.project_id', '=', scope.projectId)
    .where('s.experiment_id', '=', scope.experimentId)
    .orderBy('s.position')
    .execute();
  return rows.map((row) => ({ externalId: row.step_id, title: row.title, type: row.type }));
}

/** Replaces the experiment's step scope; the order given is kept. */
export async function replaceExperimentSteps(db: Db, experimentId: string, steps: readonly HostInferenceStep[]): Promise<void> {
  await db.deleteFrom('experiment_steps').where('experiment_id', '=', experimentId).execute();
  if (steps.length === 0) return;
  await db
    .insertInto('experiment_steps')
    .values(
      steps.map((step, position) => ({
        experiment_id: experimentId,
        step_id: step.externalId,
        title: step.title,
        type: step.type,
        position,
      })),
    )
    .execute();
}

/** The experiment's task ids, in the order they were selected. */
export async function listExperimentTaskIds(db: Db, scope: ExperimentScope): Promise<string[]> {
  const rows = await db
    .selectFrom('experiment_tasks as t')
    .innerJoin('experiments as e', 'e.id', 't.experiment_id')
    .select('t.task_id')
    .where('e.project_id', '=', scope.projectId)
    .where('t.experiment_id', '=', scope.experimentId)
    .orderBy('t.position')
    .execute();
  return rows.map((row) => row.task_id);
}

export async function countExperimentTasks(db: Db, scope: ExperimentScope): Promise<number> {
  const row = await db
    .selectFrom('experiment_tasks as t')
    .innerJoin('experiments as e', 'e.id', 't.experiment_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('e.project_id', '=', scope.projectId)
    .where('t.experiment_id', '=', scope.experimentId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// 4 parameters a row keeps a batch far below Postgres' 65,535 bind parameters.
const taskBatchSize = 2000;

/**
 * Replaces the experiment's task set, keeping each task as the host returned it (the snapshot a run sends),
 * in the order given.
 */
export async function replaceExperimentTasks(db: Db, experimentId: string, tasks: readonly HostTask[]): Promise<void> {
  await db.deleteFrom('experiment_tasks').where('experiment_id', '=', experimentId).execute();
  for (let start = 0; start < tasks.length; start += taskBatchSize) {
    await db
      .insertInto('experiment_tasks')
      .values(
        tasks.slice(start, start + taskBatchSize).map((task, index) => ({
          experiment_id: experimentId,
          task_id: task.id,
          position: start + index,
          snapshot: jsonb(task),
        })),
      )
      .execute();
  }
}

/** The latest entries of the experiment's event log, newest first. */
export async function listExperimentEvents(db: Db, scope: ExperimentScope, limit: number): Promise<ExperimentEventRecord[]> {
  const rows = await db
    .selectFrom('experiment_events as ev')
    .innerJoin('experiments as e', 'e.id', 'ev.experiment_id')
    .select(['ev.id', 'ev.at', 'ev.actor', 'ev.kind', 'ev.from_status', 'ev.to_status', 'ev.reason', 'ev.details'])
    .where('e.project_id', '=', scope.projectId)
    .where('ev.experiment_id', '=', scope.experimentId)
    .orderBy('ev.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: String(row.id),
    at: new Date(row.at),
    actor: row.actor,
    kind: row.kind,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    reason: row.reason,
    details: row.details,
  }));
}

/**
 * Records an edit that is not a status change (a renamed experiment, a new baseline configuration, a new
 * variant), so the log shows who changed what. Status changes are logged by `transitionExperiment`.
 */
export async function recordExperimentEdit(
  db: Db,
  entry: { experimentId: string; actor: string; kind: string; details?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('experiment_events')
    .values({
      experiment_id: entry.experimentId,
      actor: entry.actor,
      kind: entry.kind,
      details: entry.details === undefined ? null : jsonb(entry.details),
    })
    .execute();
}
