import { parseBaselineConfig } from '../domain/parameters.js';
import type { PluginContext } from './plugin-context.js';
import { listExperimentSteps, recordExperimentEdit, updateExperiment } from '../store/experiment-repository.js';
import { ensureBaselineVariant } from '../store/variant-repository.js';
import type { Caller } from './caller.js';
import { assertConfigurable } from './experiment-guards.js';
import type { BaselineInput } from './experiment-input.js';
import { readExperimentView, type ExperimentView } from './experiment-view.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

/**
 * Sets (or replaces) the baseline configuration, checked against the steps in scope, and creates the baseline
 * variant on first use; refused once the baseline has locked the experiment.
 */
export async function setBaseline(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  input: BaselineInput,
): Promise<ExperimentView> {
  const { db } = context;
  const scope = experimentScope(caller, experimentId);
  await db.transaction().execute(async (trx) => {
    const experiment = await loadExperiment(trx, scope, true);
    assertConfigurable(experiment, 'Cannot change the baseline configuration');
    const steps = (await listExperimentSteps(trx, scope)).map((step) => step.externalId);
    const config = parseBaselineConfig(input.config, steps);
    await updateExperiment(trx, experiment.id, { baselineConfig: config });
    const baseline = await ensureBaselineVariant(trx, experiment.id, caller.actor);
    await recordExperimentEdit(trx, {
      experimentId: experiment.id,
      actor: caller.actor,
      kind: 'baseline_configured',
      details: { variantId: baseline.id, config },
    });
  });
  return readExperimentView(db, scope);
}
