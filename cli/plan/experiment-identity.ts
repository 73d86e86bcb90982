import type { ApiExperiment, ApiExperimentSummary } from '../api/api-types.js';
import type { ExperimentsApi } from '../api/experiments-api.js';
import { CliError } from '../cli-error.js';
import type { ExperimentDefinition } from '../definition/experiment-definition.js';

// How a definition finds its experiment again: by its key (`key`, else the name), which the server keeps unique among
// a project's experiments that are not archived, so renaming the experiment in the tab changes nothing and two jobs
// racing on one file cannot make two. An experiment made before the server took keys is found by its exact name.

/** The experiment a definition made before (null when there is none), and whether the server keeps keys. */
export interface FoundExperiment {
  experiment: ApiExperimentSummary | null;
  /** False for a server older than experiment keys: it is sent none, and finds experiments by name only. */
  takesKeys: boolean;
}

function byName(experiments: readonly ApiExperimentSummary[], name: string): ApiExperimentSummary | null {
  const matches = experiments.filter((experiment) => experiment.name === name && !experiment.key);
  if (matches.length > 1) {
    throw new CliError(
      `${matches.length} experiments are named "${name}" (${matches.map((m) => m.id).join(', ')}), so it is not clear which one this ` +
        'definition means: rename or archive the others, or give the definition another name.',
    );
  }
  return matches[0] ?? null;
}

/** The experiment this definition made before, found by its key, else (made before keys) by its name. */
export async function findExperiment(
  api: ExperimentsApi,
  definition: Pick<ExperimentDefinition, 'name' | 'key'>,
): Promise<FoundExperiment> {
  const listed = await api.listExperiments({ key: definition.key });
  // A server without keys ignores the query and lists every experiment, none with a `key` field.
  if (listed.some((experiment) => experiment.key === undefined)) return { experiment: byName(listed, definition.name), takesKeys: false };
  const keyed = listed.find((experiment) => experiment.key === definition.key);
  if (keyed) return { experiment: keyed, takesKeys: true };
  return { experiment: byName(await api.listExperiments(), definition.name), takesKeys: true };
}

/** What `POST /experiments` is sent for a new experiment of this definition. */
export function newExperimentBody(
  definition: ExperimentDefinition,
  takesKeys: boolean,
): { name: string; key?: string; description?: string } {
  return {
    name: definition.name,
    ...(takesKeys ? { key: definition.key } : {}),
    ...(definition.hypothesis === undefined ? {} : { description: definition.hypothesis }),
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The experiment a command names: by id, or else as a definition finds it (by key, else by exact name). */
export async function experimentByReference(api: ExperimentsApi, reference: string): Promise<ApiExperiment> {
  if (uuidPattern.test(reference)) return api.getExperiment(reference);
  const { experiment } = await findExperiment(api, { name: reference, key: reference });
  if (!experiment) throw new CliError(`No experiment has the id, key or name "${reference}" (archived experiments are not searched).`);
  return api.getExperiment(experiment.id);
}
