import { ExperimentsError } from '../errors.js';
import type { PluginContext } from './plugin-context.js';
import { createExperiment as insertExperiment, listExperiments, recordExperimentEdit } from '../store/experiment-repository.js';
import type { Caller } from './caller.js';
import type { CreateExperimentInput } from './experiment-input.js';
import { readExperimentView, type ExperimentView } from './experiment-view.js';

/** Postgres's unique_violation: two creates raced for one key and the index kept the first. */
const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

function keyTaken(key: string, existingId: string | undefined): ExperimentsError {
  const which = existingId ? ` (${existingId})` : '';
  const message = `The project already has an experiment with the key ${JSON.stringify(key)}${which}; a key is unique among experiments that are not archived.`;
  return new ExperimentsError('conflict', message, [{ path: 'key', message: `${JSON.stringify(key)} is the key of another experiment` }]);
}

/** Creates a draft experiment in the caller's project and records who created it; a key already in use is a 409. */
export async function createExperiment(context: PluginContext, caller: Caller, input: CreateExperimentInput): Promise<ExperimentView> {
  const { db } = context;
  let experiment;
  try {
    experiment = await db.transaction().execute(async (trx) => {
      const created = await insertExperiment(trx, {
        projectId: caller.projectId,
        name: input.name,
        ...(input.key === undefined ? {} : { key: input.key }),
        description: input.description ?? '',
        createdBy: caller.actor,
      });
      await recordExperimentEdit(trx, {
        experimentId: created.id,
        actor: caller.actor,
        kind: 'created',
        details: { name: created.name, ...(created.key === null ? {} : { key: created.key }) },
      });
      return created;
    });
  } catch (error) {
    if (input.key === undefined || !isUniqueViolation(error)) throw error;
    const [existing] = await listExperiments(db, caller.projectId, { includeArchived: false, key: input.key });
    throw keyTaken(input.key, existing?.id);
  }
  return readExperimentView(db, { projectId: caller.projectId, experimentId: experiment.id });
}
