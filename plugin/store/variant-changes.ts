import type { Override } from '../domain/parameters.js';
import type { Db } from './connect.js';
import { jsonb } from './jsonb.js';

/** Changes a variant that is still a draft; false when it is no longer one (it started meanwhile). */
export async function updateDraftVariant(
  db: Db,
  variantId: string,
  change: { name?: string; description?: string; override?: Override },
): Promise<boolean> {
  const updated = await db
    .updateTable('variants')
    .set({
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.description === undefined ? {} : { description: change.description }),
      ...(change.override === undefined
        ? {}
        : {
            override_step: change.override.step,
            override_parameter: change.override.parameter,
            override_value: jsonb(change.override.value),
          }),
    })
    .where('id', '=', variantId)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Deletes a draft variant that has no runs; false when it is no longer one. */
export async function deleteDraftVariant(db: Db, variantId: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('variants')
    .where('id', '=', variantId)
    .where('status', '=', 'draft')
    .where('is_baseline', '=', false)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('runs').select('runs.id').where('runs.variant_id', '=', variantId))))
    .executeTakeFirst();
  return Number(deleted.numDeletedRows) === 1;
}
