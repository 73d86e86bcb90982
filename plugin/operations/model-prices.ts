import { z } from 'zod';
import { mergePriceTables, modelNameSchema, normalize, perMillion, priceTableSchema, shippedModelPrices, type PriceTable } from '../domain/model-prices.js';
import { ExperimentsError } from '../errors.js';
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

/** One model's price for the project, as the tab's price page posts it. */
export const projectModelPriceSchema = z.strictObject({
  model: modelNameSchema.refine(isStorable, { error: unstorableMessage }),
  inputPerMillion: perMillion,
  outputPerMillion: perMillion,
});
export type ProjectModelPriceInput = z.output<typeof projectModelPriceSchema>;

const withoutModel = (table: PriceTable, model: string) =>
  Object.fromEntries(Object.entries(table).filter(([name]) => normalize(name) !== normalize(model)));

/** Adds a model to the project's own prices, or changes its price there; later tests of that model are priced by it. */
export async function setProjectModelPrice(context: PluginContext, caller: Caller, input: ProjectModelPriceInput): Promise<ModelPricesView> {
  const { project } = await getModelPrices(context, caller);
  const next = { ...withoutModel(project, input.model), [input.model]: { inputPerMillion: input.inputPerMillion, outputPerMillion: input.outputPerMillion } };
  if (Object.keys(next).length > maxProjectModels) {
    throw new ExperimentsError('bad_request', `A project may price at most ${maxProjectModels} models of its own.`, [{ path: 'model', message: `at most ${maxProjectModels} models` }]);
  }
  return setProjectModelPrices(context, caller, { prices: next });
}

/** Takes a model out of the project's own prices: the host's or the shipped price applies again, if there is one. */
export async function removeProjectModelPrice(context: PluginContext, caller: Caller, model: string): Promise<ModelPricesView> {
  const { project } = await getModelPrices(context, caller);
  const next = withoutModel(project, model);
  if (Object.keys(next).length === Object.keys(project).length) {
    throw new ExperimentsError('not_found', `The project has no price of its own for ${JSON.stringify(model.slice(0, 200))}.`);
  }
  return setProjectModelPrices(context, caller, { prices: next });
}
