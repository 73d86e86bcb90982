import type { ExperimentConfig } from '../domain/parameters.js';
import { effectiveConfig } from '../domain/variant-tree.js';
import { ExperimentsError, notFound } from '../errors.js';
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

/** A variant's configuration with what its export page shows of the experiment. */
export interface VariantExport {
  experiment: { id: string; name: string; winnerVariantId: string | null };
  variant: VariantConfig;
}

/** The effective configuration of one variant of one of the caller's experiments, and that experiment. */
export async function getVariantExport(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  variantId: string | undefined,
): Promise<VariantExport> {
  const experiment = await loadExperiment(context.db, experimentScope(caller, experimentId));
  const variant = await getVariantConfig(context, caller, experiment.id, variantId);
  return { experiment: { id: experiment.id, name: experiment.name, winnerVariantId: experiment.winnerVariantId }, variant };
}

/** The configuration of the experiment's winner, ready to paste; a conflict until a winner has been picked. */
export async function exportWinnerConfig(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
): Promise<{ experimentId: string; winnerVariantId: string; name: string; config: ExperimentConfig }> {
  const experiment = await loadExperiment(context.db, experimentScope(caller, experimentId));
  if (experiment.winnerVariantId === null) {
    throw new ExperimentsError('conflict', 'No winner has been picked yet: complete the experiment with a winnerVariantId first.', {
      status: experiment.status,
    });
  }
  const winner = await getVariantConfig(context, caller, experiment.id, experiment.winnerVariantId);
  return { experimentId: experiment.id, winnerVariantId: winner.variantId, name: winner.name, config: winner.config };
}
