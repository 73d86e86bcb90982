import { flattenVariants, isOpenRun } from '../api/api-types.js';
import { whileServerAnswers } from '../api/server-wait.js';
import { experimentByReference } from '../plan/experiment-identity.js';
import { hostResultsText, readHostResults } from '../plan/host-results.js';
import { countsText } from '../report/progress-display.js';
import { resultsTable } from '../report/results-table.js';
import type { CommandContext } from './command-context.js';

/** `experiments status <experiment>`: its status, its runs (with progress while one is open) and its results. */
export async function statusCommand(reference: string, flags: { json?: boolean }, context: CommandContext): Promise<number> {
  const { api, wait, output } = context;
  const experiment = await whileServerAnswers(() => experimentByReference(api, reference), wait);
  const [runs, results] = await whileServerAnswers(() => Promise.all([api.listRuns(experiment.id), api.getResults(experiment.id)]), wait);
  const open = runs.find(isOpenRun);
  const progress = open ? await whileServerAnswers(() => api.getRun(experiment.id, open.id), wait) : null;
  const hostResults = await readHostResults(
    api,
    experiment,
    runs.map((run) => ({ runId: run.id, status: run.status })),
    { wait, waitMs: 0, pollIntervalMs: 0 },
  );
  if (flags.json) {
    const listed = runs.map((run) => (hostResults.has(run.id) ? { ...run, hostResults: hostResults.get(run.id) } : run));
    output.out(`${JSON.stringify({ experiment, runs: listed, openRun: progress, results }, null, 2)}\n`);
    return 0;
  }
  const names = new Map(
    flattenVariants(experiment.variants).map((variant) => [variant.id, variant.isBaseline ? 'baseline' : variant.name]),
  );
  output.out(`Experiment "${experiment.name}" (${experiment.id}): ${experiment.status.replace(/_/g, ' ')}\n`);
  output.out(`${context.settings.url}/experiments/${experiment.id}\n`);
  if (progress) {
    const { done, total } = progress.progress;
    output.out(
      `Running: ${names.get(progress.variantId) ?? progress.variantName} run #${progress.number}, ${done}/${total} done (${countsText(progress)})\n`,
    );
  }
  output.out('\nRuns (newest first):\n');
  for (const run of runs) {
    const inHost = hostResultsText(hostResults.get(run.id));
    output.out(`  ${names.get(run.variantId) ?? run.variantId} #${run.number}: ${run.status}${inHost ? ` — ${inHost}` : ''}\n`);
  }
  output.out(`\n${resultsTable(results, [])}\n`);
  return 0;
}
