import type { ApiExperiment, ApiExperimentSummary } from '../api/api-types.js';
import type { ExperimentsApi } from '../api/experiments-api.js';
import { CliError } from '../cli-error.js';
import type { ExperimentDefinition } from '../definition/experiment-definition.js';

// How a definition finds its experiment again. The API has no experiment key yet, so for now the key is the
// experiment's exact name among the project's experiments that are not archived. When the API takes a key
// (`POST /experiments {key}`, `GET /experiments?key=`), these two functions are all that change.

/** The experiment this definition made before, or null when there is none. */
export async function findExperiment(
  api: ExperimentsApi,
  definition: Pick<ExperimentDefinition, 'name' | 'key'>,
): Promise<ApiExperimentSummary | null> {
  const matches = (await api.listExperiments()).filter((experiment) => experiment.name === definition.name);
  if (matches.length > 1) {
    throw new CliError(
      `${matches.length} experiments are named "${definition.name}" (${matches.map((m) => m.id).join(', ')}), so it is not clear which one this ` +
        'definition means: rename or archive the others, or give the definition another name.',
    );
  }
  return matches[0] ?? null;
}

/** What `POST /experiments` is sent for a new experiment of this definition. */
export function newExperimentBody(definition: ExperimentDefinition): { name: string; description?: string } {
  return { name: definition.name, ...(definition.hypothesis === undefined ? {} : { description: definition.hypothesis }) };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The experiment a command names: by id, or else as a definition finds it (for now, by its exact name). */
export async function experimentByReference(api: ExperimentsApi, reference: string): Promise<ApiExperiment> {
  if (uuidPattern.test(reference)) return api.getExperiment(reference);
  const found = await findExperiment(api, { name: reference, key: reference });
  if (!found) throw new CliError(`No experiment has the id or name "${reference}" (archived experiments are not searched).`);
  return api.getExperiment(found.id);
}
