import { z } from 'zod';
import type { PhoenixRequest } from './phoenix-request.js';

const record = z.record(z.string(), z.unknown());

const datasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  metadata: record.default({}),
  created_at: z.string(),
  updated_at: z.string(),
  example_count: z.number().int(),
});

const exampleSchema = z.object({
  /** The example's GlobalID; stable across versions. */
  id: z.string(),
  input: record,
  output: record,
  metadata: record.default({}),
  updated_at: z.string(),
});

const versionSchema = z.object({
  version_id: z.string(),
  description: z.string().nullish(),
  metadata: record.default({}),
  created_at: z.string(),
});

const splitSchema = z.object({ id: z.string(), name: z.string(), description: z.string().nullish(), example_count: z.number().int() });

export type PhoenixDataset = z.infer<typeof datasetSchema>;
export type PhoenixExample = z.infer<typeof exampleSchema>;
export type PhoenixDatasetVersion = z.infer<typeof versionSchema>;
export type PhoenixSplit = z.infer<typeof splitSchema>;

/** A dataset's examples at one version. */
export interface PhoenixExamples {
  datasetId: string;
  /** The version these examples are from: pin it to read the same examples later. */
  versionId: string;
  examples: PhoenixExample[];
}

/** What to upload: one entry per example in each list (outputs, metadata and splits optional). */
export interface DatasetUpload {
  name: string;
  description?: string;
  inputs: Array<Record<string, unknown>>;
  outputs?: Array<Record<string, unknown>>;
  metadata?: Array<Record<string, unknown>>;
  /** A split name (or names) per example. */
  splits?: Array<string | string[] | null>;
  /** `create` (default) refuses a name in use (409); `append` adds a version to an existing dataset. */
  action?: 'create' | 'append';
}

/** Phoenix datasets: list, get, versions, splits, examples (at a version, by split), upload. */
export function createPhoenixDatasets(request: PhoenixRequest) {
  return {
    /** One page of datasets, newest first; `name` filters by exact name. */
    async list(query: { limit?: number; cursor?: string; name?: string } = {}) {
      const page = await request('GET', '/v1/datasets', {
        query: { limit: query.limit, cursor: query.cursor, name: query.name },
        schema: z.object({ data: z.array(datasetSchema), next_cursor: z.string().nullish() }),
      });
      return { items: page.data, nextCursor: page.next_cursor ?? undefined };
    },

    async get(datasetId: string): Promise<PhoenixDataset> {
      const found = await request('GET', `/v1/datasets/${encodeURIComponent(datasetId)}`, {
        schema: z.object({ data: datasetSchema }),
      });
      return found.data;
    },

    /** One page of the dataset's versions, newest first. */
    async versions(datasetId: string, query: { limit?: number; cursor?: string } = {}) {
      const page = await request('GET', `/v1/datasets/${encodeURIComponent(datasetId)}/versions`, {
        query: { limit: query.limit, cursor: query.cursor },
        schema: z.object({ data: z.array(versionSchema), next_cursor: z.string().nullish() }),
      });
      return { items: page.data, nextCursor: page.next_cursor ?? undefined };
    },

    /** The dataset's splits (up to 1000). */
    async splits(datasetId: string): Promise<PhoenixSplit[]> {
      const page = await request('GET', `/v1/datasets/${encodeURIComponent(datasetId)}/splits`, {
        query: { limit: 1000 },
        schema: z.object({ data: z.array(splitSchema) }),
      });
      return page.data;
    },

    /**
     * All examples of the dataset at `versionId` (default: the latest version), optionally only those in the given
     * splits (ids or names). Phoenix returns them in one answer, with the version they belong to.
     */
    async examples(datasetId: string, options: { versionId?: string; splits?: readonly string[] } = {}): Promise<PhoenixExamples> {
      const answer = await request('GET', `/v1/datasets/${encodeURIComponent(datasetId)}/examples`, {
        query: { version_id: options.versionId, split: options.splits },
        schema: z.object({
          data: z.object({ dataset_id: z.string(), version_id: z.string(), examples: z.array(exampleSchema) }),
        }),
      });
      return { datasetId: answer.data.dataset_id, versionId: answer.data.version_id, examples: answer.data.examples };
    },

    /** Uploads examples as JSON and waits for Phoenix to store them. */
    async upload(upload: DatasetUpload): Promise<{ datasetId: string; versionId: string }> {
      const answer = await request('POST', '/v1/datasets/upload', {
        query: { sync: true },
        body: { action: 'create', ...upload },
        schema: z.object({ data: z.object({ dataset_id: z.string(), version_id: z.string() }) }),
      });
      return { datasetId: answer.data.dataset_id, versionId: answer.data.version_id };
    },

    async delete(datasetId: string): Promise<void> {
      await request('DELETE', `/v1/datasets/${encodeURIComponent(datasetId)}`);
    },
  };
}

export type PhoenixDatasets = ReturnType<typeof createPhoenixDatasets>;
