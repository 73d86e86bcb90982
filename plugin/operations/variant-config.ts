import type { ExperimentConfig } from '../domain/parameters.js';
import { effectiveConfig } from '../domain/variant-tree.js';
import { notFound } from '../errors.js';
import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { findVariant, listVariants } from '../store/variant-repository.js';
import type { Caller } from './caller.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

/** A variant's effective configuration: the baseline's with every override on its path applied. */
export interface VariantConfig {
  variantId: string;
  name: string;
  config: ExperimentConfig;
}

/** The effective configuration of one variant, ready to paste into an application. */
export async function getVariantConfig(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  variantId: string | undefined,
): Promise<VariantConfig> {
  const { db } = context;
  const scope = experimentScope(caller, experimentId);
  const id = requireUuid(variantId, 'Variant');
  const experiment = await loadExperiment(db, scope);
  const variant = await findVariant(db, scope, id);
  if (!variant) throw notFound('Variant', id);
  const config = effectiveConfig(await listVariants(db, scope), variant.id, experiment.baselineConfig);
  return { variantId: variant.id, name: variant.name, config };
}
