import { flattenVariants, isOpenRun } from '../api/api-types.js';
import { whileServerAnswers } from '../api/server-wait.js';
import { CliError } from '../cli-error.js';
import { experimentByReference } from '../plan/experiment-identity.js';
import type { CommandContext } from './command-context.js';

/** `experiments cancel <experiment>`: asks the experiment's running run to stop. */
export async function cancelCommand(reference: string, context: CommandContext): Promise<number> {
  const { api, wait, output } = context;
  const experiment = await whileServerAnswers(() => experimentByReference(api, reference), wait);
  const runs = await whileServerAnswers(() => api.listRuns(experiment.id), wait);
  const open = runs.find(isOpenRun);
  if (!open)
    throw new CliError(
      `Experiment "${experiment.name}" has no run in progress (status: ${experiment.status.replace(/_/g, ' ')}); there is nothing to cancel.`,
    );
  // Not retried: a cancel that got no answer may have been taken; the message says how to check.
  const run = await api.cancelRun(experiment.id, open.id);
  const variant = flattenVariants(experiment.variants).find((candidate) => candidate.id === run.variantId);
  const name = variant?.isBaseline ? 'baseline' : (variant?.name ?? run.variantName);
  output.out(
    `Asked run #${run.number} of ${name} to stop (${run.progress.done}/${run.progress.total} tests done); \`experiments status ${experiment.id}\` shows when it has.\n`,
  );
  return 0;
}
