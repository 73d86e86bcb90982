import { z } from 'zod';

/** A model's list price in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** Prices by model name; later tables given to `mergePriceTables` win. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const price = (inputPerMillion: number, outputPerMillion: number): ModelPrice => ({ inputPerMillion, outputPerMillion });

/**
 * The prices the plugin ships: the providers' published list prices for standard (not batch, not cached) text
 * tokens, as of 2025. Prices change; a host (config `modelPrices`) or a project extends or overrides them.
 */
export const shippedModelPrices: PriceTable = {
  // OpenAI
  'gpt-5': price(1.25, 10),
  'gpt-5-mini': price(0.25, 2),
  'gpt-5-nano': price(0.05, 0.4),
  'gpt-4.1': price(2, 8),
  'gpt-4.1-mini': price(0.4, 1.6),
  'gpt-4.1-nano': price(0.1, 0.4),
  'gpt-4o': price(2.5, 10),
  'gpt-4o-mini': price(0.15, 0.6),
  'gpt-4-turbo': price(10, 30),
  'gpt-3.5-turbo': price(0.5, 1.5),
  o1: price(15, 60),
  o3: price(2, 8),
  'o3-mini': price(1.1, 4.4),
  'o4-mini': price(1.1, 4.4),
  // Anthropic
  'claude-opus-4-1': price(15, 75),
  'claude-opus-4': price(15, 75),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4': price(3, 15),
  'claude-haiku-4-5': price(1, 5),
  'claude-3-7-sonnet': price(3, 15),
  'claude-3-5-sonnet': price(3, 15),
  'claude-3-5-haiku': price(0.8, 4),
  'claude-3-opus': price(15, 75),
  'claude-3-haiku': price(0.25, 1.25),
  // Google
  'gemini-2.5-pro': price(1.25, 10),
  'gemini-2.5-flash': price(0.3, 2.5),
  'gemini-2.5-flash-lite': price(0.1, 0.4),
  'gemini-2.0-flash': price(0.1, 0.4),
  'gemini-1.5-pro': price(1.25, 5),
  'gemini-1.5-flash': price(0.075, 0.3),
};

/** A price in dollars per million tokens, as a form or a table gives it. */
export const perMillion = z
  .number({ error: 'must be a number' })
  .finite()
  .min(0, { error: 'must be at least 0' })
  .max(10_000, { error: 'must be at most 10,000' });

/** A model's name as spans give it. */
export const modelNameSchema = z.string().trim().min(1, { error: 'a model name must not be blank' }).max(200, { error: 'a model name must be at most 200 characters' });

/** A price table as a host's config or a project's setting gives it: `{ "<model>": { inputPerMillion, outputPerMillion } }`. */
export const priceTableSchema = z.record(
  modelNameSchema,
  z.strictObject({ inputPerMillion: perMillion, outputPerMillion: perMillion }),
  { error: 'must be an object of model names to { inputPerMillion, outputPerMillion }' },
);

/**
 * The table a project's tests are priced by: the shipped prices, then the host's (config `modelPrices`), then the
 * project's own. A stored project table that no longer passes the schema is left out rather than failing evaluations.
 * Merged once per host table and project table (compared by content, so a project's changed prices are a new entry):
 * every test of a run is priced by the same table.
 */
export function projectPriceTable(host: PriceTable | undefined, project: unknown): PriceTable {
  const key = JSON.stringify(project ?? null);
  const known = mergedByHost.get(host ?? noHostTable) ?? new Map<string, PriceTable>();
  const cached = known.get(key);
  if (cached) return cached;
  const own = priceTableSchema.safeParse(project ?? {});
  const merged = Object.freeze(mergePriceTables(shippedModelPrices, host, own.success ? own.data : undefined));
  // A few projects' tables at a time; a process serving more starts over rather than growing without bound.
  if (known.size >= maxCachedProjectTables) known.clear();
  known.set(key, merged);
  mergedByHost.set(host ?? noHostTable, known);
  return merged;
}

const noHostTable: PriceTable = {};
const maxCachedProjectTables = 100;
const mergedByHost = new WeakMap<PriceTable, Map<string, PriceTable>>();
// Tables mergePriceTables made have their names normalized already; findModelPrice need not copy them again.
const normalizedTables = new WeakSet<PriceTable>();

/** The tables in order, later entries overriding earlier ones (names compared case-insensitively). */
export function mergePriceTables(...tables: ReadonlyArray<PriceTable | undefined>): PriceTable {
  const merged: Record<string, ModelPrice> = {};
  for (const table of tables) {
    for (const [model, entry] of Object.entries(table ?? {})) merged[normalize(model)] = entry;
  }
  normalizedTables.add(merged);
  return merged;
}

// A dated or versioned release of a known model costs what the model costs: gpt-4o-2024-08-06, claude-3-5-sonnet-20241022,
// claude-sonnet-4-5@20250929, gemini-1.5-pro-002, gpt-4o-mini-latest.
const releaseSuffix = /^(?:[-@](?:\d{4}-?\d{2}-?\d{2}|\d{3,4}|latest|preview(?:-[\w-]*)?|exp(?:-[\w-]*)?|v\d+(?::\d+)?))+$/;

/**
 * The price of a model as spans name it, or null when the table does not know it. Tries the exact name, then the
 * name without a provider prefix (`openai/gpt-4o`, `models/gemini-2.5-pro`, `anthropic.claude-…`), then the
 * longest known model of which the name is a dated or versioned release. Never guesses across families:
 * `gpt-4o-mini` is not priced as `gpt-4o`.
 * @example findModelPrice(shippedModelPrices, 'gpt-4o-2024-08-06') // { inputPerMillion: 2.5, outputPerMillion: 10 }
 */
export function findModelPrice(table: PriceTable, model: string): ModelPrice | null {
  const normalized = normalizedTables.has(table) ? table : mergePriceTables(table);
  for (const name of candidates(normalize(model))) {
    const exact = normalized[name];
    if (exact) return exact;
    const base = Object.keys(normalized)
      .filter((known) => name.startsWith(known) && releaseSuffix.test(name.slice(known.length)))
      .sort((a, b) => b.length - a.length)[0];
    if (base) return normalized[base]!;
  }
  return null;
}

/** Dollars for the given token counts at a price; a missing count contributes nothing, both missing gives null. */
export function costOf(modelPrice: ModelPrice, tokens: { input: number | null; output: number | null }): number | null {
  if (tokens.input === null && tokens.output === null) return null;
  return ((tokens.input ?? 0) * modelPrice.inputPerMillion + (tokens.output ?? 0) * modelPrice.outputPerMillion) / 1_000_000;
}

/** A model's name as the table keys it: names are compared case-insensitively. */
export function normalize(model: string): string {
  return model.trim().toLowerCase();
}

function candidates(model: string): string[] {
  const withoutProvider = model.replace(/^(?:[\w-]+\/)+/, '').replace(/^(?:anthropic|openai|google|us|eu|apac)\./, '');
  const withoutRegion = withoutProvider.replace(/^(?:anthropic|openai|google)\./, '');
  return [...new Set([model, withoutProvider, withoutRegion])];
}
