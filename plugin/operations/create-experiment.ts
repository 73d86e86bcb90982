import type { PluginContext } from './plugin-context.js';
import { createExperiment as insertExperiment, recordExperimentEdit } from '../store/experiment-repository.js';
import type { Caller } from './caller.js';
import type { CreateExperimentInput } from './experiment-input.js';
import { readExperimentView, type ExperimentView } from './experiment-view.js';

/** Creates a draft experiment in the caller's project and records who created it. */
export async function createExperiment(context: PluginContext, caller: Caller, input: CreateExperimentInput): Promise<ExperimentView> {
  const { db } = context;
  const experiment = await db.transaction().execute(async (trx) => {
    const created = await insertExperiment(trx, {
      projectId: caller.projectId,
      name: input.name,
      description: input.description ?? '',
      createdBy: caller.actor,
    });
    await recordExperimentEdit(trx, {
      experimentId: created.id,
      actor: caller.actor,
      kind: 'created',
      details: { name: created.name },
    });
    return created;
  });
  return readExperimentView(db, { projectId: caller.projectId, experimentId: experiment.id });
}
