import { costOf, findModelPrice, type PriceTable } from './model-prices.js';

/** One model call's usage, as the span that counted it reports it; a field is null when the span does not say. */
export interface ModelCall {
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  /** Dollars the span itself reported (`llm.cost.*`, `gen_ai.usage.cost`): taken as is, never re-priced. */
  reportedCost: number | null;
}

/** What a set of calls cost, or null with the reason when any of them cannot be priced. */
export interface PricedUsage {
  cost: number | null;
  /** Why the cost is unknown, e.g. "unknown model llama-3-70b"; null when it is known or there was no call. */
  costNote: string | null;
}

/**
 * The cost of some model calls: a reported cost as reported, else input and output tokens at the model's price.
 * One call that cannot be priced makes the whole cost unknown (with the reason): a partial sum would read as the
 * full cost, and zero would read as free.
 * @example priceCalls([{ model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100, totalTokens: 1100, reportedCost: null }], shippedModelPrices)
 *   // { cost: 0.00021, costNote: null }
 */
export function priceCalls(calls: readonly ModelCall[], prices: PriceTable): PricedUsage {
  let cost: number | null = null;
  const problems = new Set<string>();
  for (const call of calls) {
    const priced = priceCall(call, prices);
    if (typeof priced === 'string') problems.add(priced);
    else if (priced !== null) cost = (cost ?? 0) + priced;
  }
  if (problems.size > 0) return { cost: null, costNote: [...problems].join('; ') };
  return { cost, costNote: null };
}

// Dollars, null when the call has nothing to price, or the reason it cannot be priced.
function priceCall(call: ModelCall, prices: PriceTable): number | null | string {
  if (call.reportedCost !== null) return call.reportedCost;
  if (call.inputTokens === null && call.outputTokens === null) {
    return call.totalTokens === null ? null : `tokens${call.model ? ` of ${shown(call.model)}` : ''} not split into input and output`;
  }
  if (call.model === null) return 'a call with tokens names no model';
  const price = findModelPrice(prices, call.model);
  if (price === null) return `unknown model ${shown(call.model)}`;
  return costOf(price, { input: call.inputTokens, output: call.outputTokens });
}

// A model name comes from a trace: shown short, on one line, and storable (no NUL, no unpaired surrogate).
function shown(model: string): string {
  const characters = Array.from(model);
  const visible = characters.slice(0, 100).map((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff) ? ' ' : c;
  });
  return visible.join('') + (characters.length > 100 ? '…' : '');
}
