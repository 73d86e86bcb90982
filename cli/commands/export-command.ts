import { writeFile } from 'node:fs/promises';
import { ApiError } from '../api/api-client.js';
import { flattenVariants } from '../api/api-types.js';
import { whileServerAnswers } from '../api/server-wait.js';
import { CliError } from '../cli-error.js';
import { experimentByReference } from '../plan/experiment-identity.js';
import type { CommandContext } from './command-context.js';

/**
 * `experiments export <experiment> [--variant <name|id>]`: the effective configuration of the winner (or of the
 * named variant) as JSON, ready to paste into the application, on standard output or into `--output`.
 */
export async function exportCommand(
  reference: string,
  flags: { variant?: string; output?: string },
  context: CommandContext,
): Promise<number> {
  const { api, wait, output } = context;
  const experiment = await whileServerAnswers(() => experimentByReference(api, reference), wait);
  let exported;
  if (flags.variant === undefined) {
    try {
      exported = await whileServerAnswers(() => api.exportWinner(experiment.id), wait);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        throw new CliError(`${error.serverMessage} Or name a variant: --variant <name>.`);
      }
      throw error;
    }
  } else {
    const wanted = flags.variant;
    const variants = flattenVariants(experiment.variants);
    const matches = variants.filter(
      (variant) => variant.id === wanted || variant.name === wanted || (wanted === 'baseline' && variant.isBaseline),
    );
    if (matches.length === 0) {
      throw new CliError(
        `The experiment has no variant "${wanted}"; its variants are ${variants.map((v) => `"${v.isBaseline ? 'baseline' : v.name}"`).join(', ')}.`,
      );
    }
    if (matches.length > 1)
      throw new CliError(`${matches.length} variants are named "${wanted}"; name one by its id (${matches.map((v) => v.id).join(', ')}).`);
    exported = await whileServerAnswers(() => api.variantConfig(experiment.id, matches[0]!.id), wait);
  }
  const json = `${JSON.stringify(exported.config, null, 2)}\n`;
  if (flags.output) {
    await writeFile(flags.output, json, 'utf8');
    output.err(`Wrote the configuration of "${exported.name}" to ${flags.output}.\n`);
  } else {
    output.err(`The configuration of "${exported.name}":\n`);
    output.out(json);
  }
  return 0;
}
