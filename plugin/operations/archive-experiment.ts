import { sql } from 'kysely';
import type { PluginContext } from './plugin-context.js';
import { transitionExperiment } from '../store/experiment-transitions.js';
import { clearRunQueue } from '../store/run-queue-repository.js';
import type { Caller } from './caller.js';
import { readExperimentView, type ExperimentView } from './experiment-view.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

/** Archives an experiment that is not running; it becomes read-only. */
export async function archiveExperiment(context: PluginContext, caller: Caller, experimentId: string | undefined): Promise<ExperimentView> {
  const { db } = context;
  const scope = experimentScope(caller, experimentId);
  await db.transaction().execute(async (trx) => {
    const experiment = await loadExperiment(trx, scope, true);
    await transitionExperiment(trx, {
      experimentId: experiment.id,
      event: 'archive',
      actor: caller.actor,
      set: { archived_at: sql`now()` },
    });
    // An archived experiment runs nothing more: runs still queued are dropped with it.
    await clearRunQueue(trx, experiment.id);
  });
  return readExperimentView(db, scope);
}
