import { parseOverride } from '../domain/parameters.js';
import { checkOverrideChangesValue, effectiveConfig } from '../domain/variant-tree.js';
import { ExperimentsError } from '../errors.js';
import { isUuid } from '../domain/uuid.js';
import type { PluginContext } from './plugin-context.js';
import { listExperimentSteps, recordExperimentEdit } from '../store/experiment-repository.js';
import { insertVariant, listVariants } from '../store/variant-repository.js';
import type { Caller } from './caller.js';
import { assertAcceptsVariants } from './experiment-guards.js';
import type { VariantInput } from './experiment-input.js';
import { variantViews, type VariantView } from './experiment-view.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

/**
 * A variant's name is unique within its experiment (the baseline's included), so a client may find a variant by
 * its name (a definition file does) and two requests racing to create the same variant cannot both win: the
 * experiment's row is locked while this is checked.
 */
function refuseTakenName(variants: ReadonlyArray<{ name: string }>, name: string): void {
  if (!variants.some((variant) => variant.name === name)) return;
  const message = `This experiment already has a variant named ${JSON.stringify(name)}; variant names are unique within an experiment, so choose another.`;
  throw new ExperimentsError('conflict', message, [{ path: 'name', message: `${JSON.stringify(name)} is already the name of a variant of this experiment` }]);
}

/**
 * Branches a variant from the baseline or another variant with exactly one override, which must change the
 * parent's effective value; only once the baseline has completed.
 */
export async function createVariant(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  input: VariantInput,
): Promise<VariantView> {
  const scope = experimentScope(caller, experimentId);
  return context.db.transaction().execute(async (trx) => {
    const experiment = await loadExperiment(trx, scope, true);
    assertAcceptsVariants(experiment);
    const variants = await listVariants(trx, scope);
    const parentId = input.parentId.toLowerCase();
    if (!isUuid(parentId) || !variants.some((variant) => variant.id === parentId)) {
      const message = `The parent ${JSON.stringify(input.parentId)} is not a variant of this experiment; use the id of the baseline or of one of its variants.`;
      throw new ExperimentsError('unprocessable', message, [{ path: 'parentId', message }]);
    }
    const steps = (await listExperimentSteps(trx, scope)).map((step) => step.externalId);
    const override = parseOverride(input.override, steps);
    checkOverrideChangesValue(effectiveConfig(variants, parentId, experiment.baselineConfig), override);
    // Last, so a request that is wrong in itself hears that first.
    refuseTakenName(variants, input.name);
    const variant = await insertVariant(trx, {
      experimentId: experiment.id,
      parentId,
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      override,
      createdBy: caller.actor,
    });
    await recordExperimentEdit(trx, {
      experimentId: experiment.id,
      actor: caller.actor,
      kind: 'variant_created',
      details: { variantId: variant.id, name: variant.name, override },
    });
    return variantViews([...variants, variant], experiment.baselineConfig).at(-1)!;
  });
}
