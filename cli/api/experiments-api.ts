import type { Change, StepConfig } from '../definition/experiment-definition.js';
import type { ApiClient } from './api-client.js';
import type { ApiConfigExport, ApiExperiment, ApiExperimentSummary, ApiResults, ApiRun, ApiRunEntry, ApiTaskSource } from './api-types.js';

const id = (value: string) => encodeURIComponent(value);

/** The body of `PATCH /experiments/:id` as the CLI sends it: the hypothesis and the step and task selection. */
export interface ExperimentUpdate {
  description?: string;
  inferenceSteps?: string[];
  taskIds?: string[];
  /** All the tasks of a source (a Phoenix dataset), or of some of its splits; instead of `taskIds`. */
  taskSource?: { sourceId: string; splits?: string[] };
}

/** The plugin's JSON API (DESIGN §9), one function per route the CLI uses. */
export function experimentsApi(client: ApiClient) {
  return {
    url: client.url,
    listExperiments: async (filter: { key?: string } = {}) =>
      (
        await client.request<{ experiments: ApiExperimentSummary[] }>(
          'GET',
          `/experiments${filter.key === undefined ? '' : `?key=${encodeURIComponent(filter.key)}`}`,
        )
      ).experiments,
    createExperiment: (body: { name: string; key?: string; description?: string }) =>
      client.request<ApiExperiment>('POST', '/experiments', body),
    getExperiment: (experimentId: string) => client.request<ApiExperiment>('GET', `/experiments/${id(experimentId)}`),
    updateExperiment: (experimentId: string, body: ExperimentUpdate) =>
      client.request<ApiExperiment>('PATCH', `/experiments/${id(experimentId)}`, body),
    setBaseline: (experimentId: string, config: StepConfig) =>
      client.request<ApiExperiment>('PUT', `/experiments/${id(experimentId)}/baseline`, { config }),
    createVariant: (experimentId: string, body: { parentId: string; name: string; description?: string; override: Change }) =>
      client.request<{ id: string }>('POST', `/experiments/${id(experimentId)}/variants`, body),
    listRuns: async (experimentId: string) =>
      (await client.request<{ runs: ApiRunEntry[] }>('GET', `/experiments/${id(experimentId)}/runs`)).runs,
    getRun: (experimentId: string, runId: string) => client.request<ApiRun>('GET', `/experiments/${id(experimentId)}/runs/${id(runId)}`),
    startRun: (experimentId: string, variantId: string, settings: Record<string, unknown>) =>
      client.request<ApiRun>('POST', `/experiments/${id(experimentId)}/variants/${id(variantId)}/runs`, settings),
    cancelRun: (experimentId: string, runId: string) =>
      client.request<ApiRun>('POST', `/experiments/${id(experimentId)}/runs/${id(runId)}/cancel`),
    getResults: (experimentId: string) => client.request<ApiResults>('GET', `/experiments/${id(experimentId)}/results`),
    exportWinner: (experimentId: string) => client.request<ApiConfigExport>('GET', `/experiments/${id(experimentId)}/export`),
    variantConfig: (experimentId: string, variantId: string) =>
      client.request<ApiConfigExport>('GET', `/experiments/${id(experimentId)}/variants/${id(variantId)}/config`),
    /** The project's tasks, paged (404 from a server older than this route). */
    listTasks: (cursor?: string) =>
      client.request<{ items: Array<{ id: string }>; nextCursor?: string | null }>(
        'GET',
        `/tasks?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    /** The project's task sources: Phoenix datasets with their splits; none on another host (404 from an older server). */
    listTaskSources: async () => (await client.request<{ sources: ApiTaskSource[] }>('GET', '/task-sources')).sources,
    /** The project's inference steps (404 from a server older than this route). */
    listInferenceSteps: () => client.request<{ steps: Array<{ externalId: string }> }>('GET', '/inference-steps'),
  };
}

export type ExperimentsApi = ReturnType<typeof experimentsApi>;
