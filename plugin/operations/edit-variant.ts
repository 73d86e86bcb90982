import { parseOverride } from '../domain/parameters.js';
import { checkOverrideChangesValue, effectiveConfig } from '../domain/variant-tree.js';
import { ExperimentsError } from '../errors.js';
import { listExperimentSteps, recordExperimentEdit, type ExperimentRecord } from '../store/experiment-repository.js';
import { deleteDraftVariant, updateDraftVariant } from '../store/variant-changes.js';
import { listVariants, type VariantRecord } from '../store/variant-repository.js';
import type { Caller } from './caller.js';
import { assertAcceptsVariants } from './experiment-guards.js';
import type { VariantEditInput } from './experiment-input.js';
import { variantViews, type VariantView } from './experiment-view.js';
import { requireUuid } from './ids.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import type { PluginContext } from './plugin-context.js';

/** The draft variant to change, with the experiment locked; a variant that has run is history and is refused. */
function draftOf(experiment: ExperimentRecord, variants: readonly VariantRecord[], variantId: string, attempt: string): VariantRecord {
  assertAcceptsVariants(experiment);
  const variant = variants.find((candidate) => candidate.id === variantId);
  if (!variant) throw new ExperimentsError('not_found', `Variant ${variantId} was not found in this experiment.`);
  if (variant.isBaseline) {
    throw new ExperimentsError(
      'locked',
      `${attempt}: the baseline's configuration is locked with the experiment; branch a variant to try a change.`,
    );
  }
  if (variant.status !== 'draft') {
    throw new ExperimentsError(
      'locked',
      `${attempt}: the variant has run (${variant.status}), and its results depend on it; branch a new variant instead.`,
      {
        status: variant.status,
      },
    );
  }
  return variant;
}

const refuseTakenName = (variants: readonly VariantRecord[], self: string, name: string) => {
  if (variants.some((variant) => variant.id !== self && variant.name === name)) {
    const message = `${JSON.stringify(name)} is already the name of a variant of this experiment`;
    throw new ExperimentsError('conflict', `${message}; variant names are unique within an experiment.`, [{ path: 'name', message }]);
  }
};

/**
 * Renames a draft variant, rewrites what is expected of it, or replaces its one override (which must still change its
 * parent's value). A variant with children keeps its override: theirs are built on it.
 */
export async function editVariant(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; variantId: string | undefined },
  input: VariantEditInput,
): Promise<VariantView> {
  const scope = experimentScope(caller, ids.experimentId);
  const variantId = requireUuid(ids.variantId, 'Variant');
  return context.db.transaction().execute(async (trx) => {
    const experiment = await loadExperiment(trx, scope, true);
    const variants = await listVariants(trx, scope);
    const variant = draftOf(experiment, variants, variantId, 'Cannot edit this variant');
    let override;
    if (input.override !== undefined) {
      if (variants.some((child) => child.parentId === variant.id)) {
        throw new ExperimentsError(
          'conflict',
          'Cannot change the override of a variant that has children: their changes are built on it. Edit its name or description, or branch anew.',
        );
      }
      const steps = (await listExperimentSteps(trx, scope)).map((step) => step.externalId);
      override = parseOverride(input.override, steps);
      checkOverrideChangesValue(effectiveConfig(variants, variant.parentId!, experiment.baselineConfig), override);
    }
    if (input.name !== undefined) refuseTakenName(variants, variant.id, input.name);
    const change = {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(override === undefined ? {} : { override }),
    };
    if (!(await updateDraftVariant(trx, variant.id, change))) {
      throw new ExperimentsError('conflict', 'The variant started running meanwhile; reload the page.');
    }
    await recordExperimentEdit(trx, {
      experimentId: experiment.id,
      actor: caller.actor,
      kind: 'variant_edited',
      details: { variantId, changed: Object.keys(change) },
    });
    const updated = variants.map((candidate) => (candidate.id === variant.id ? { ...candidate, ...change } : candidate));
    return variantViews(updated, experiment.baselineConfig).find((view) => view.id === variant.id)!;
  });
}

/** Deletes a draft variant that never ran and has no children (and so takes it out of the run queue). */
export async function deleteVariant(
  context: PluginContext,
  caller: Caller,
  ids: { experimentId: string | undefined; variantId: string | undefined },
): Promise<{ deleted: string }> {
  const scope = experimentScope(caller, ids.experimentId);
  const variantId = requireUuid(ids.variantId, 'Variant');
  return context.db.transaction().execute(async (trx) => {
    const experiment = await loadExperiment(trx, scope, true);
    const variants = await listVariants(trx, scope);
    const variant = draftOf(experiment, variants, variantId, 'Cannot delete this variant');
    const children = variants.filter((child) => child.parentId === variant.id);
    if (children.length > 0) {
      throw new ExperimentsError(
        'conflict',
        `Cannot delete this variant: ${children.length} variant(s) are branched from it; delete them first.`,
        {
          children: children.map((child) => child.id),
        },
      );
    }
    if (!(await deleteDraftVariant(trx, variant.id)))
      throw new ExperimentsError('conflict', 'The variant started running meanwhile; reload the page.');
    await recordExperimentEdit(trx, {
      experimentId: experiment.id,
      actor: caller.actor,
      kind: 'variant_deleted',
      details: { variantId, name: variant.name },
    });
    return { deleted: variant.name };
  });
}
