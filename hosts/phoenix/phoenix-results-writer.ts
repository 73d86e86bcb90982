import type { HostRunResults } from '../../plugin/host.js';
import type { PhoenixClient } from './phoenix-client.js';
import { PhoenixError } from './phoenix-error.js';
import type { PhoenixExperiment } from './phoenix-experiments.js';

/** The metadata key under which a Phoenix experiment records the run it was written from. */
export const runMetadataKey = 'experiments_plugin';

/**
 * Writes a finished variant run to Phoenix as an experiment on the run's pinned dataset version: one Phoenix run per
 * test (output, trace id, error), each evaluator's result and the overall verdict as evaluations. Idempotent: the
 * experiment is found again by the run id in its metadata, a test already written (409) is kept, evaluations are
 * upserted by name. Returns the experiment's page in Phoenix.
 */
export async function writeRunToPhoenix(
  phoenix: PhoenixClient,
  publicUrl: string,
  results: HostRunResults,
): Promise<{ url?: string; experimentId?: string }> {
  const selection = results.selection;
  if (!selection) return {};
  const experiment =
    (await findExperiment(phoenix, selection.sourceId, results.run.id)) ??
    (await phoenix.experiments.create(selection.sourceId, {
      name: `${results.experiment.name} · ${results.variant.name}`,
      ...(results.experiment.description ? { description: results.experiment.description } : {}),
      metadata: {
        [runMetadataKey]: {
          experimentId: results.experiment.id,
          variantId: results.variant.id,
          runId: results.run.id,
          baseline: results.variant.isBaseline,
          config: results.variant.config,
        },
      },
      versionId: selection.version,
      ...(selection.splits?.length ? { splits: selection.splits } : {}),
      repetitions: Math.max(1, ...results.tests.map((test) => test.repeat + 1)),
    }));

  let written: Map<string, string> | undefined;
  const key = (exampleId: string, repetition: number) => `${exampleId}#${repetition}`;
  for (const test of results.tests) {
    const repetitionNumber = test.repeat + 1;
    const failedToRun = test.status === 'errored' || test.status === 'timed_out';
    let runId: string;
    try {
      ({ id: runId } = await phoenix.experiments.addRun(experiment.id, {
        datasetExampleId: test.taskId,
        output: test.output ?? null,
        repetitionNumber,
        startTime: test.startedAt,
        endTime: test.endedAt,
        ...(test.traceId ? { traceId: test.traceId } : {}),
        ...(failedToRun ? { error: test.error ?? test.status } : {}),
      }));
    } catch (error) {
      if (!(error instanceof PhoenixError && error.code === 'phoenix_conflict')) throw error;
      written ??= new Map(
        (await phoenix.experiments.runs(experiment.id)).map((run) => [key(run.dataset_example_id, run.repetition_number), run.id]),
      );
      const existing = written.get(key(test.taskId, repetitionNumber));
      if (!existing) throw error;
      runId = existing;
    }
    if (failedToRun) continue;
    const evaluations = [
      ...test.evaluations.map((evaluation) => ({
        name: evaluation.name,
        annotatorKind: evaluation.name === 'llm_judge' ? ('LLM' as const) : ('CODE' as const),
        result: {
          label: evaluation.passed ? 'pass' : 'fail',
          score: evaluation.score ?? (evaluation.passed ? 1 : 0),
          ...(evaluation.reason ? { explanation: evaluation.reason } : {}),
        },
      })),
      {
        name: 'passed',
        annotatorKind: 'CODE' as const,
        result: { label: test.status === 'passed' ? 'pass' : 'fail', score: test.status === 'passed' ? 1 : 0 },
      },
    ];
    for (const evaluation of evaluations) {
      await phoenix.experiments.addEvaluation({ experimentRunId: runId, startTime: test.endedAt, endTime: test.endedAt, ...evaluation });
    }
  }
  return {
    experimentId: experiment.id,
    url: `${publicUrl}/datasets/${selection.sourceId.replace(/[/?#%]/g, encodeURIComponent)}/compare?experimentId=${encodeURIComponent(experiment.id)}`,
  };
}

async function findExperiment(phoenix: PhoenixClient, datasetId: string, runId: string): Promise<PhoenixExperiment | undefined> {
  let cursor: string | undefined;
  do {
    const page = await phoenix.experiments.list(datasetId, { limit: 100, ...(cursor ? { cursor } : {}) });
    const found = page.items.find(
      (experiment) => (experiment.metadata[runMetadataKey] as { runId?: unknown } | undefined)?.runId === runId,
    );
    if (found) return found;
    cursor = page.nextCursor;
  } while (cursor);
  return undefined;
}
