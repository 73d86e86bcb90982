import { experimentStatuses, type ExperimentStatus } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import { restoreArchived, statusBeforeArchive } from '../store/experiment-unarchive.js';
import type { Caller } from './caller.js';
import { readExperimentView, type ExperimentView } from './experiment-view.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import type { PluginContext } from './plugin-context.js';

const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === '23505';

/**
 * Brings an archived experiment back as it was before (completed stays completed, a locked one stays locked): its
 * status is the one the event log recorded when it was archived.
 */
export async function unarchiveExperiment(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
): Promise<ExperimentView> {
  const { db } = context;
  const scope = experimentScope(caller, experimentId);
  try {
    await db.transaction().execute(async (trx) => {
      const experiment = await loadExperiment(trx, scope, true);
      if (experiment.status !== 'archived') {
        throw new ExperimentsError(
          'invalid_transition',
          `Cannot unarchive the experiment: it is not archived (status: ${experiment.status}).`,
          {
            status: experiment.status,
          },
        );
      }
      const before = await statusBeforeArchive(trx, experiment.id);
      // An experiment archived before the event log knew its status goes back to what its history allows.
      const status: ExperimentStatus =
        before && (experimentStatuses as readonly string[]).includes(before) && before !== 'archived'
          ? (before as ExperimentStatus)
          : experiment.completedAt
            ? 'completed'
            : experiment.lockedAt
              ? 'idle'
              : 'draft';
      if (!(await restoreArchived(trx, { experimentId: experiment.id, status, actor: caller.actor }))) {
        throw new ExperimentsError('conflict', 'The experiment changed while this request was being handled; reload it and try again.');
      }
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ExperimentsError(
      'conflict',
      'Cannot unarchive the experiment: another open experiment of this project now has its key. Archive that one or change its key first.',
    );
  }
  return readExperimentView(db, scope);
}
