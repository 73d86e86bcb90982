import type { VariantStatus } from '../domain/experiment-status.js';
import type { Override } from '../domain/parameters.js';
import type { Db } from './connect.js';
import type { Variant } from './database.js';
import { isUuid } from '../domain/uuid.js';
import type { ExperimentScope } from './experiment-repository.js';
import { jsonb } from './jsonb.js';

/** A variant as the plugin works with it; the baseline has neither parent nor override. */
export interface VariantRecord {
  id: string;
  experimentId: string;
  parentId: string | null;
  isBaseline: boolean;
  name: string;
  description: string;
  override: Override | null;
  status: VariantStatus;
  createdBy: string | null;
  createdAt: Date;
}

function toRecord(row: Variant): VariantRecord {
  // The table's shape check keeps the three override columns all set or all null.
  const override =
    row.override_step === null || row.override_parameter === null
      ? null
      : ({ step: row.override_step, parameter: row.override_parameter, value: row.override_value } as Override);
  return {
    id: row.id,
    experimentId: row.experiment_id,
    parentId: row.parent_id,
    isBaseline: row.is_baseline,
    name: row.name,
    description: row.description,
    override,
    status: row.status as VariantStatus,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
  };
}

/** The experiment's variants, baseline first, then in the order they were created. */
export async function listVariants(db: Db, scope: ExperimentScope): Promise<VariantRecord[]> {
  if (!isUuid(scope.experimentId)) return [];
  const rows = await db
    .selectFrom('variants as v')
    .innerJoin('experiments as e', 'e.id', 'v.experiment_id')
    .selectAll('v')
    .where('e.project_id', '=', scope.projectId)
    .where('v.experiment_id', '=', scope.experimentId)
    .orderBy('v.is_baseline', 'desc')
    .orderBy('v.created_at')
    .orderBy('v.id')
    .execute();
  return rows.map(toRecord);
}

/** One variant of the experiment, or undefined when it is not one of its variants. */
export async function findVariant(db: Db, scope: ExperimentScope, variantId: string): Promise<VariantRecord | undefined> {
  if (!isUuid(scope.experimentId) || !isUuid(variantId)) return undefined;
  const row = await db
    .selectFrom('variants as v')
    .innerJoin('experiments as e', 'e.id', 'v.experiment_id')
    .selectAll('v')
    .where('e.project_id', '=', scope.projectId)
    .where('v.experiment_id', '=', scope.experimentId)
    .where('v.id', '=', variantId)
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/**
 * The experiment's baseline variant, created (named 'Baseline') if it has none yet. Call with the
 * experiment row locked, so two requests cannot both create it.
 */
export async function ensureBaselineVariant(db: Db, experimentId: string, createdBy: string): Promise<VariantRecord> {
  const existing = await db
    .selectFrom('variants')
    .selectAll()
    .where('experiment_id', '=', experimentId)
    .where('is_baseline', '=', true)
    .executeTakeFirst();
  if (existing) return toRecord(existing);
  const row = await db
    .insertInto('variants')
    .values({ experiment_id: experimentId, is_baseline: true, name: 'Baseline', created_by: createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

/** Adds a variant under `parentId`, which must be a variant of the same experiment (the database checks it too). */
export async function insertVariant(
  db: Db,
  input: { experimentId: string; parentId: string; name: string; description?: string; override: Override; createdBy: string },
): Promise<VariantRecord> {
  const row = await db
    .insertInto('variants')
    .values({
      experiment_id: input.experimentId,
      parent_id: input.parentId,
      name: input.name,
      description: input.description ?? '',
      override_step: input.override.step,
      override_parameter: input.override.parameter,
      override_value: jsonb(input.override.value),
      created_by: input.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}
