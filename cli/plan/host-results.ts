import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiExperiment, ApiRun } from '../api/api-types.js';
import type { ExperimentsApi } from '../api/experiments-api.js';
import { whileServerAnswers, type ServerWaitOptions } from '../api/server-wait.js';

/** Where a run's results went in the host (a Phoenix experiment), as `GET …/runs/:rid` tells it. */
export type HostResults = NonNullable<ApiRun['hostResults']>;

/**
 * Whether the server writes this experiment's completed runs back to its host: it does for an experiment whose
 * tasks come from a task source its baseline pinned (a Phoenix dataset), and for no other.
 */
export const writesBackToHost = (experiment: Pick<ApiExperiment, 'taskSource'>) => !!experiment.taskSource?.version;

/**
 * The host results of each completed run, read from the server. The server writes a run to the host a moment after
 * it completes, so this waits for that up to `waitMs` (0: one read), and gives what it has then.
 */
export async function readHostResults(
  api: ExperimentsApi,
  experiment: ApiExperiment,
  runs: ReadonlyArray<{ runId: string; status: string }>,
  options: { wait: ServerWaitOptions; waitMs: number; pollIntervalMs: number },
): Promise<Map<string, HostResults>> {
  const found = new Map<string, HostResults>();
  if (!writesBackToHost(experiment)) return found;
  const deadline = Date.now() + options.waitMs;
  for (const run of runs) {
    if (run.status !== 'completed') continue;
    for (;;) {
      const read = await whileServerAnswers(() => api.getRun(experiment.id, run.runId), options.wait);
      if (read.hostResults) found.set(run.runId, read.hostResults);
      const settled = !read.hostResults || read.hostResults.current || read.hostResults.error !== null;
      if (settled || Date.now() >= deadline) break;
      await sleep(options.pollIntervalMs);
    }
  }
  return found;
}

/** `results in the host: <url>`, or why they are not there (yet); null when the server says nothing of it. */
export function hostResultsText(hostResults: HostResults | undefined): string | null {
  if (!hostResults) return null;
  if (hostResults.error !== null && !hostResults.current)
    return `writing the results to the host failed (the server tries again): ${hostResults.error}`;
  if (hostResults.url === null) return 'not written to the host yet (`experiments status` shows the link once it is)';
  return `results in the host: ${hostResults.url}${hostResults.current ? '' : ' (updating to the latest results)'}`;
}
