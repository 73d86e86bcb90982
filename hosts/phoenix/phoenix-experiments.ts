import { z } from 'zod';
import type { PhoenixRequest } from './phoenix-request.js';

const experimentSchema = z.object({
  id: z.string(),
  dataset_id: z.string(),
  dataset_version_id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  repetitions: z.number().int(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  project_name: z.string().nullish(),
  created_at: z.string(),
  example_count: z.number().int(),
  successful_run_count: z.number().int(),
  failed_run_count: z.number().int(),
  missing_run_count: z.number().int(),
});

const runSchema = z.object({
  id: z.string(),
  experiment_id: z.string(),
  dataset_example_id: z.string(),
  output: z.unknown(),
  repetition_number: z.number().int(),
  start_time: z.string(),
  end_time: z.string(),
  trace_id: z.string().nullish(),
  error: z.string().nullish(),
});

const annotatedRunSchema = z.object({
  example_id: z.string(),
  repetition_number: z.number().int(),
  output: z.unknown(),
  error: z.string().nullish(),
  trace_id: z.string().nullish(),
  annotations: z.array(
    z.object({
      name: z.string(),
      annotator_kind: z.string(),
      label: z.string().nullish(),
      score: z.number().nullish(),
      explanation: z.string().nullish(),
    }),
  ),
});

export type PhoenixExperiment = z.infer<typeof experimentSchema>;
/** A run with its evaluations, as Phoenix exports an experiment. */
export type PhoenixAnnotatedRun = z.infer<typeof annotatedRunSchema>;
export type PhoenixExperimentRun = z.infer<typeof runSchema>;

/** One result of the task on one example. */
export interface ExperimentRunInput {
  datasetExampleId: string;
  output: unknown;
  /** 1-based, as in Phoenix. */
  repetitionNumber: number;
  startTime: Date | string;
  endTime: Date | string;
  /** The application's trace for this result (its OpenTelemetry trace id). */
  traceId?: string;
  error?: string;
}

/** One evaluation of a run, shown as an annotation in Phoenix's experiment views. */
export interface ExperimentEvaluationInput {
  experimentRunId: string;
  name: string;
  annotatorKind: 'LLM' | 'CODE' | 'HUMAN';
  startTime: Date | string;
  endTime: Date | string;
  result?: { label?: string; score?: number; explanation?: string; metadata?: Record<string, unknown> };
  error?: string;
  traceId?: string;
}

const iso = (time: Date | string) => (typeof time === 'string' ? time : time.toISOString());

/** Phoenix experiments on a dataset: create, read, record runs and their evaluations. */
export function createPhoenixExperiments(request: PhoenixRequest) {
  return {
    /** Creates an experiment over the dataset's examples at `versionId` (default latest), optionally some splits. */
    async create(
      datasetId: string,
      experiment: {
        name?: string;
        description?: string;
        metadata?: Record<string, unknown>;
        versionId?: string;
        splits?: string[];
        repetitions?: number;
      },
    ): Promise<PhoenixExperiment> {
      const created = await request('POST', `/v1/datasets/${encodeURIComponent(datasetId)}/experiments`, {
        body: {
          name: experiment.name,
          description: experiment.description,
          metadata: experiment.metadata,
          version_id: experiment.versionId,
          splits: experiment.splits,
          repetitions: experiment.repetitions ?? 1,
        },
        schema: z.object({ data: experimentSchema }),
      });
      return created.data;
    },

    async get(experimentId: string): Promise<PhoenixExperiment> {
      const found = await request('GET', `/v1/experiments/${encodeURIComponent(experimentId)}`, {
        schema: z.object({ data: experimentSchema }),
      });
      return found.data;
    },

    /** One page of the dataset's experiments. */
    async list(datasetId: string, query: { limit?: number; cursor?: string } = {}) {
      const page = await request('GET', `/v1/datasets/${encodeURIComponent(datasetId)}/experiments`, {
        query: { limit: query.limit, cursor: query.cursor },
        schema: z.object({ data: z.array(experimentSchema), next_cursor: z.string().nullish() }),
      });
      return { items: page.data, nextCursor: page.next_cursor ?? undefined };
    },

    /**
     * Records a run. Phoenix refuses (409, `phoenix_conflict`) a second successful run for the same example and
     * repetition, and replaces an errored one in place.
     */
    async addRun(experimentId: string, run: ExperimentRunInput): Promise<{ id: string }> {
      const created = await request('POST', `/v1/experiments/${encodeURIComponent(experimentId)}/runs`, {
        body: {
          dataset_example_id: run.datasetExampleId,
          output: run.output,
          repetition_number: run.repetitionNumber,
          start_time: iso(run.startTime),
          end_time: iso(run.endTime),
          trace_id: run.traceId ?? null,
          error: run.error ?? null,
        },
        schema: z.object({ data: z.object({ id: z.string() }) }),
      });
      return created.data;
    },

    /** Every run of the experiment. */
    async runs(experimentId: string): Promise<PhoenixExperimentRun[]> {
      const runs: PhoenixExperimentRun[] = [];
      let cursor: string | undefined;
      do {
        const page = await request('GET', `/v1/experiments/${encodeURIComponent(experimentId)}/runs`, {
          query: { limit: 500, cursor },
          schema: z.object({ data: z.array(runSchema), next_cursor: z.string().nullish() }),
        });
        runs.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return runs;
    },

    /** Every run of the experiment with its evaluations (Phoenix's JSON export). */
    async annotatedRuns(experimentId: string): Promise<PhoenixAnnotatedRun[]> {
      return request('GET', `/v1/experiments/${encodeURIComponent(experimentId)}/json`, { schema: z.array(annotatedRunSchema) });
    },

    /** Records (or replaces: one per run and name) an evaluation of a run. */
    async addEvaluation(evaluation: ExperimentEvaluationInput): Promise<{ id: string }> {
      const created = await request('POST', '/v1/experiment_evaluations', {
        body: {
          experiment_run_id: evaluation.experimentRunId,
          name: evaluation.name,
          annotator_kind: evaluation.annotatorKind,
          start_time: iso(evaluation.startTime),
          end_time: iso(evaluation.endTime),
          result: evaluation.result ?? null,
          error: evaluation.error ?? null,
          trace_id: evaluation.traceId ?? null,
        },
        schema: z.object({ data: z.object({ id: z.string() }) }),
      });
      return created.data;
    },
  };
}

export type PhoenixExperiments = ReturnType<typeof createPhoenixExperiments>;
