import type { PluginContext } from '../plugin/api/plugin-context.js';
import type { Caller } from '../plugin/operations/caller.js';
import { experimentResults } from '../plugin/operations/experiment-results.js';
import type { ResultsData } from './results-data.js';

/** The results table's figures: the same results the API returns (DESIGN §8), narrowed to what the table shows. */
export async function readResults(context: PluginContext, caller: Caller, experimentId: string): Promise<ResultsData> {
  const results = await experimentResults(context, caller, experimentId);
  return {
    baselineRunId: results.baselineRunId,
    minimumDetectableDifference: results.minimumDetectableDifference,
    variants: results.variants.map((variant) => ({
      variantId: variant.variantId,
      name: variant.name,
      isBaseline: variant.isBaseline,
      change: variant.change,
      runId: variant.runId,
      status: variant.status,
      completedAt: variant.completedAt,
      total: variant.total,
      passed: variant.passed,
      failed: variant.failed,
      errored: variant.errored,
      timedOut: variant.timedOut,
      pending: variant.pending,
      passRate: variant.passRate,
      interval: variant.interval,
      vsBaseline: variant.vsBaseline,
      latency: variant.latency,
      cost: variant.cost,
    })),
  };
}
