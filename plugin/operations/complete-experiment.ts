import { sql } from 'kysely';
import { nextStatus } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import type { PluginContext } from './plugin-context.js';
import { transitionExperiment } from '../store/experiment-transitions.js';
import { clearRunQueue } from '../store/run-queue-repository.js';
import { findVariant, type VariantRecord } from '../store/variant-repository.js';
import type { Caller } from './caller.js';
import type { CompleteInput } from './experiment-input.js';
import { readExperimentView, type ExperimentView } from './experiment-view.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

/** Completes the experiment, optionally naming as winner a variant whose run completed. */
export async function completeExperiment(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  input: CompleteInput,
): Promise<ExperimentView> {
  const { db } = context;
  const scope = experimentScope(caller, experimentId);
  const { winnerVariantId } = input;
  await db.transaction().execute(async (trx) => {
    const experiment = await loadExperiment(trx, scope, true);
    // The status decides first: naming a winner of an experiment that cannot complete is beside the point.
    nextStatus(experiment.status, 'complete');
    let winner: VariantRecord | undefined;
    if (winnerVariantId !== undefined) {
      winner = await findVariant(trx, scope, winnerVariantId);
      if (!winner || winner.status !== 'completed') {
        const message = winner
          ? `The winner must be a variant whose run completed; "${winner.name}" is ${winner.status}.`
          : `The winner ${JSON.stringify(winnerVariantId)} is not a variant of this experiment.`;
        throw new ExperimentsError('unprocessable', message, [{ path: 'winnerVariantId', message }]);
      }
    }
    await transitionExperiment(trx, {
      experimentId: experiment.id,
      event: 'complete',
      actor: caller.actor,
      ...(winner ? { reason: `winner: ${winner.name}`, details: { winnerVariantId: winner.id } } : {}),
      set: { completed_at: sql`now()`, winner_variant_id: winner?.id ?? null },
    });
    // A completed experiment runs nothing more: runs still queued are dropped with it.
    await clearRunQueue(trx, experiment.id);
  });
  return readExperimentView(db, scope);
}
