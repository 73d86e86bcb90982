import type { PriceTable } from '../domain/model-prices.js';
import type { Db } from './connect.js';
import { jsonb } from './jsonb.js';

/** The model prices a project added (an empty table when it set none). */
export async function findProjectModelPrices(db: Db, projectId: string): Promise<unknown> {
  const row = await db.selectFrom('project_settings').select('model_prices').where('project_id', '=', projectId).executeTakeFirst();
  return row?.model_prices ?? {};
}

/** Replaces a project's model prices; later evaluations of its tests use them. */
export async function saveProjectModelPrices(db: Db, projectId: string, prices: PriceTable, actor: string): Promise<void> {
  await db
    .insertInto('project_settings')
    .values({ project_id: projectId, model_prices: jsonb(prices), updated_by: actor })
    .onConflict((oc) => oc.column('project_id').doUpdateSet({ model_prices: jsonb(prices), updated_by: actor, updated_at: new Date() }))
    .execute();
}
