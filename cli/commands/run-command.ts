import { writeFile } from 'node:fs/promises';
import type { ApiExperiment } from '../api/api-types.js';
import { whileServerAnswers } from '../api/server-wait.js';
import { CliError, exitCodes } from '../cli-error.js';
import { DefinitionError } from '../definition/definition-problem.js';
import { loadDefinition, type LoadedDefinition } from '../definition/load-definition.js';
import { driveExperiment, type Driven } from '../plan/drive-experiment.js';
import { preflight } from '../plan/preflight.js';
import { checkGates } from '../report/gate-check.js';
import { jsonReport } from '../report/json-report.js';
import { junitReport } from '../report/junit-report.js';
import { markdownReport } from '../report/markdown-report.js';
import { createProgressDisplay } from '../report/progress-display.js';
import { resultsTable } from '../report/results-table.js';
import { describeRuns, gatesSummary, type RunReport } from '../report/run-report.js';
import { seconds, type GlobalFlags } from '../settings.js';
import { commandContext, type Output } from './command-context.js';

export interface RunFlags {
  markdown?: string;
  junit?: string;
  json?: string;
  check?: boolean;
  pollInterval: string;
}

const experimentUrl = (base: string, id: string) => `${base}/experiments/${id}`;

async function writeOutputs(flags: RunFlags, report: RunReport, output: Output, redact: (text: string) => string) {
  const files: Array<[string | undefined, (report: RunReport) => string]> = [
    [flags.markdown, markdownReport],
    [flags.junit, junitReport],
    [flags.json, jsonReport],
  ];
  for (const [file, write] of files) {
    if (file === undefined) continue;
    try {
      await writeFile(file, redact(write(report)), 'utf8');
    } catch (error) {
      output.err(`Could not write ${file}: ${(error as Error).message}\n`);
    }
  }
}

/**
 * `experiments run <file>`: checks the definition, creates or reuses its experiment, runs what has not run,
 * prints the results and gates, writes the requested files, and returns the exit code.
 */
export async function runCommand(
  file: string,
  flags: RunFlags,
  globals: GlobalFlags,
  output: Output,
  redact: (text: string) => string,
): Promise<number> {
  const report: RunReport = { file, experiment: null, runs: [], results: null, gates: [], exitCode: exitCodes.error, error: null };
  let loaded: LoadedDefinition | undefined;
  try {
    loaded = await loadDefinition(file);
    if (flags.check) {
      output.out(
        `${file}: the definition is valid (${loaded.definition.variants.length} variants, ${loaded.definition.gates.length} gates).\n`,
      );
      return exitCodes.passed;
    }
    const definition = loaded.definition;
    const pollIntervalMs = seconds(flags.pollInterval, '--poll-interval');
    const context = commandContext(globals, output);
    const display = createProgressDisplay(output.progressStream);
    const wait = { ...context.wait, onOutage: (message: string) => display.note(redact(message)) };
    const describe = (experiment: ApiExperiment) => {
      report.experiment = {
        id: experiment.id,
        name: experiment.name,
        key: definition.key,
        url: experimentUrl(context.settings.url, experiment.id),
        hypothesis: definition.hypothesis ?? null,
      };
    };

    let driven: Driven;
    try {
      const { taskIds } = await preflight(context.api, loaded, wait);
      driven = await driveExperiment({ api: context.api, loaded, taskIds, display, wait, pollIntervalMs, onExperiment: describe });
    } finally {
      display.stop();
    }
    describe(driven.experiment);
    report.runs = driven.runs;
    const results = await whileServerAnswers(() => context.api.getResults(driven.experiment.id), wait);
    report.results = results;
    report.gates = checkGates(definition.gates, results, driven.variantIds);

    const failed = report.gates.filter((gate) => gate.status === 'failed');
    const undecided = report.gates.filter((gate) => gate.status === 'undecided');
    report.exitCode = failed.length > 0 ? exitCodes.gateFailed : undecided.length > 0 ? exitCodes.error : exitCodes.passed;
    if (report.exitCode === exitCodes.error)
      report.error = `a gate could not be decided: ${undecided.map((gate) => `${gate.variant} (${gate.reasons[0]})`).join('; ')}`;

    output.out(`Experiment "${driven.experiment.name}" — ${report.experiment!.url}\n`);
    for (const line of describeRuns(report.runs)) output.out(`  ${line}\n`);
    output.out(`\n${resultsTable(results, report.gates)}\n\n`);
    const verdict =
      report.exitCode === exitCodes.passed
        ? `All gates passed (${gatesSummary(report.gates)}).`
        : report.exitCode === exitCodes.gateFailed
          ? `Gate failed: ${failed.map((gate) => `${gate.variant} — ${gate.reasons[0]}`).join('; ')}`
          : `Gate undecided: ${undecided.map((gate) => `${gate.variant} — ${gate.reasons[0]}`).join('; ')}`;
    (report.exitCode === exitCodes.passed ? output.out : output.err)(`${verdict}\n`);
  } catch (error) {
    if (!(error instanceof CliError) && !(error instanceof DefinitionError)) throw error;
    report.exitCode = exitCodes.error;
    report.error = error.message;
    output.err(`${error instanceof DefinitionError ? `The definition was refused:\n${error.message}` : `Error: ${error.message}`}\n`);
  }
  await writeOutputs(flags, report, output, redact);
  return report.exitCode;
}
