import { requireUuid } from './ids.js';
import { notFound } from '../errors.js';
import type { Db } from '../store/connect.js';
import { findExperiment, type ExperimentRecord, type ExperimentScope } from '../store/experiment-repository.js';
import type { Caller } from './caller.js';

/** The scope of an experiment id given by a caller; an id that cannot exist is a 404 at once. */
export const experimentScope = (caller: Caller, experimentId: string | undefined): ExperimentScope => ({
  projectId: caller.projectId,
  experimentId: requireUuid(experimentId, 'Experiment'),
});

/** The experiment, or a 404; `forUpdate` locks its row until the transaction ends. */
export async function loadExperiment(db: Db, scope: ExperimentScope, forUpdate = false): Promise<ExperimentRecord> {
  const experiment = await findExperiment(db, scope, { forUpdate });
  if (!experiment) throw notFound('Experiment', scope.experimentId);
  return experiment;
}
