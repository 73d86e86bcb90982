import { ExperimentsError, notFound } from '../errors.js';
import type { ExperimentConfig, Override, ParameterName, ParameterValue } from './parameters.js';

/** What the tree needs of a variant: the baseline is the root (no parent, no override). */
export interface VariantLink {
  id: string;
  parentId: string | null;
  override: Override | null;
}

/** A variant with its children, in the order they were created. */
export type VariantTreeNode<T extends VariantLink> = T & { children: VariantTreeNode<T>[] };

/** One override seen as a change of its parent's effective config; `from` is null when the parent left it unset. */
export interface ParameterChange {
  step: string;
  parameter: ParameterName;
  from: ParameterValue | null;
  to: ParameterValue;
}

// A broken tree can only come from stored data, never from a request, so it is an internal error.
const brokenTree = (message: string) => new ExperimentsError('internal', `The variant tree is broken: ${message}`);

function indexById<T extends VariantLink>(variants: readonly T[]): Map<string, T> {
  const byId = new Map<string, T>();
  for (const variant of variants) {
    if (byId.has(variant.id)) throw brokenTree(`variant ${variant.id} appears twice.`);
    byId.set(variant.id, variant);
  }
  return byId;
}

function walkToRoot<T extends VariantLink>(byId: ReadonlyMap<string, T>, variantId: string): T[] {
  const start = byId.get(variantId);
  if (start === undefined) throw notFound('Variant', variantId);
  const path = [start];
  const seen = new Set([start.id]);
  let current = start;
  while (current.parentId !== null) {
    const parent = byId.get(current.parentId);
    if (parent === undefined) throw brokenTree(`the parent ${current.parentId} of variant ${current.id} is missing.`);
    if (seen.has(parent.id)) throw brokenTree(`variant ${parent.id} is its own ancestor.`);
    seen.add(parent.id);
    path.push(parent);
    current = parent;
  }
  return path;
}

/**
 * The variant and its ancestors, from the variant itself up to the root.
 * @example pathToRoot(variants, 'v3').map((v) => v.id) // ['v3', 'v1', 'baseline']
 */
export function pathToRoot<T extends VariantLink>(variants: readonly T[], variantId: string): T[] {
  return walkToRoot(indexById(variants), variantId);
}

const copyConfig = (config: ExperimentConfig): ExperimentConfig =>
  Object.fromEntries(Object.entries(config).map(([step, parameters]) => [step, { ...parameters }]));

/** A copy of `config` with the override applied; `config` itself is left untouched. */
export function applyOverride(config: ExperimentConfig, override: Override): ExperimentConfig {
  const copy = copyConfig(config);
  return { ...copy, [override.step]: { ...copy[override.step], [override.parameter]: override.value } };
}

/**
 * The baseline config with every override from the root down to the variant applied in order.
 * @example effectiveConfig(variants, 'v2', { classifier: { temperature: 0.7 } })
 */
export function effectiveConfig(
  variants: readonly VariantLink[],
  variantId: string,
  baselineConfig: ExperimentConfig,
): ExperimentConfig {
  return walkToRoot(indexById(variants), variantId)
    .reverse()
    .reduce(
      (config, variant) => (variant.override === null ? config : applyOverride(config, variant.override)),
      copyConfig(baselineConfig),
    );
}

/**
 * Nests the variants under their parents; roots and children keep the order of the input list.
 * Throws when a parent is missing or the parents form a cycle, rather than leaving variants out.
 */
export function buildTree<T extends VariantLink>(variants: readonly T[]): VariantTreeNode<T>[] {
  indexById(variants);
  const nodes: VariantTreeNode<T>[] = variants.map((variant) => ({ ...variant, children: [] }));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const roots: VariantTreeNode<T>[] = [];
  for (const node of nodes) {
    if (node.parentId === null) {
      roots.push(node);
      continue;
    }
    const parent = byId.get(node.parentId);
    if (parent === undefined) throw brokenTree(`the parent ${node.parentId} of variant ${node.id} is missing.`);
    parent.children.push(node);
  }
  const reached = new Set<string>();
  const pending = [...roots];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    reached.add(node.id);
    pending.push(...node.children);
  }
  // Every parent exists, so whatever the roots do not reach hangs off a cycle.
  const cut = nodes.filter((node) => !reached.has(node.id)).map((node) => node.id);
  if (cut.length > 0)
    throw brokenTree(`variants ${cut.join(', ')} have no path to the baseline: their parents form a cycle.`);
  return roots;
}

const shownValueLength = 60;

/** A parameter value as a person reads it: numbers bare, text quoted and shortened. */
export function formatParameterValue(value: ParameterValue | null): string {
  if (value === null) return 'unset';
  if (typeof value === 'number') return String(value);
  const quoted = JSON.stringify(value);
  return quoted.length > shownValueLength ? `${quoted.slice(0, shownValueLength - 2)}…"` : quoted;
}

/**
 * The name a variant gets when none is given: its change as a person reads it, text in curly quotes with its own
 * quotes and line breaks left as they are (never JSON-escaped), shortened.
 * @example automaticVariantName({ step: 'classifier', parameter: 'model', value: 'gpt-4o' }) // 'classifier.model → “gpt-4o”'
 */
export function automaticVariantName(override: { step: string; parameter: string; value: unknown }, maxLength = 200): string {
  const { value } = override;
  const text = typeof value === 'number' ? String(value) : String(value ?? '').replace(/\s+/g, ' ').trim();
  const shown = text.length > shownValueLength ? `${text.slice(0, shownValueLength - 1)}…` : text;
  return `${override.step}.${override.parameter} → ${typeof value === 'number' ? shown : `“${shown}”`}`.slice(0, maxLength);
}

/** The override as a change of the parent's effective config. */
export function describeChange(parentEffective: ExperimentConfig, override: Override): ParameterChange {
  return {
    step: override.step,
    parameter: override.parameter,
    from: parentEffective[override.step]?.[override.parameter] ?? null,
    to: override.value,
  };
}

/**
 * A change on one line.
 * @example formatChange({ step: 'classifier', parameter: 'temperature', from: 0.7, to: 0.3 }) // 'classifier.temperature: 0.7 → 0.3'
 */
export const formatChange = (change: ParameterChange): string =>
  `${change.step}.${change.parameter}: ${formatParameterValue(change.from)} → ${formatParameterValue(change.to)}`;

/** Refuses (422) an override that leaves the parent's effective value as it is. */
export function checkOverrideChangesValue(parentEffective: ExperimentConfig, override: Override): void {
  const current = parentEffective[override.step]?.[override.parameter];
  if (current !== override.value) return;
  const message = `${override.step}.${override.parameter} is already ${formatParameterValue(current)} in the parent variant; an override must change the value.`;
  throw new ExperimentsError('unprocessable', message, [{ path: 'value', message }]);
}
