import { createPhoenixDatasets } from './phoenix-datasets.js';
import { createPhoenixExperiments } from './phoenix-experiments.js';
import { createPhoenixProjects } from './phoenix-projects.js';
import { createPhoenixRequest, type PhoenixConnection } from './phoenix-request.js';
import { createPhoenixSpans } from './phoenix-spans.js';

export type { PhoenixConnection } from './phoenix-request.js';

/**
 * A typed client for the parts of Phoenix's REST API (20.26.1) the Experiments plugin uses.
 *
 * @example
 * const phoenix = createPhoenixClient({ baseUrl: 'http://127.0.0.1:6006', apiKey: process.env.PHOENIX_API_KEY });
 * const spans = await phoenix.spans.byAttribute('support-bot', 'experiment.test_id', testId);
 */
export function createPhoenixClient(connection: PhoenixConnection) {
  const request = createPhoenixRequest(connection);
  return {
    baseUrl: connection.baseUrl.replace(/\/+$/, ''),
    projects: createPhoenixProjects(request),
    spans: createPhoenixSpans(request),
    datasets: createPhoenixDatasets(request),
    experiments: createPhoenixExperiments(request),
  };
}

export type PhoenixClient = ReturnType<typeof createPhoenixClient>;
