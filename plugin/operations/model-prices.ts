import { z } from 'zod';
import { mergePriceTables, priceTableSchema, shippedModelPrices, type PriceTable } from '../domain/model-prices.js';
import { isStorable, unstorableMessage } from '../domain/storable-text.js';
import { findProjectModelPrices, saveProjectModelPrices } from '../store/project-settings-repository.js';
import type { Caller } from './caller.js';
import type { PluginContext } from './plugin-context.js';

const maxProjectModels = 500;

/** The body of `PUT /api/model-prices`: the project's whole table, replacing what it had. */
export const projectModelPricesSchema = z.strictObject({
  prices: priceTableSchema
    .refine((table) => Object.keys(table).length <= maxProjectModels, { error: `at most ${maxProjectModels} models` })
    .refine(isStorable, { error: unstorableMessage }),
});
export type ProjectModelPricesInput = z.output<typeof projectModelPricesSchema>;

export type PriceSource = 'shipped' | 'host' | 'project';

/** The prices a project's tests are priced by, each with where it comes from, and the project's own table. */
export interface ModelPricesView {
  project: PriceTable;
  models: Array<{ model: string; inputPerMillion: number; outputPerMillion: number; source: PriceSource }>;
}

/** Prices in dollars per million tokens: the plugin's, the host's (config `modelPrices`) and the project's. */
export async function getModelPrices(context: PluginContext, caller: Caller): Promise<ModelPricesView> {
  const stored = priceTableSchema.safeParse(await findProjectModelPrices(context.db, caller.projectId));
  const project = stored.success ? stored.data : {};
  const sources: Array<[PriceSource, PriceTable | undefined]> = [['shipped', shippedModelPrices], ['host', context.config.modelPrices], ['project', project]];
  const bySource = new Map<string, PriceSource>();
  for (const [source, table] of sources) for (const model of Object.keys(mergePriceTables(table))) bySource.set(model, source);
  const merged = mergePriceTables(...sources.map(([, table]) => table));
  return {
    project,
    models: Object.entries(merged)
      .map(([model, price]) => ({ model, ...price, source: bySource.get(model) ?? 'shipped' }))
      .sort((a, b) => a.model.localeCompare(b.model)),
  };
}

/** Replaces the project's own prices; tests evaluated from now on are priced with them. */
export async function setProjectModelPrices(context: PluginContext, caller: Caller, input: ProjectModelPricesInput): Promise<ModelPricesView> {
  await saveProjectModelPrices(context.db, caller.projectId, input.prices, caller.actor);
  return getModelPrices(context, caller);
}
