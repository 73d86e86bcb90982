import { writeFile } from 'node:fs/promises';
import type { ApiExperiment } from '../api/api-types.js';
import { whileServerAnswers } from '../api/server-wait.js';
import { CliError, exitCodes } from '../cli-error.js';
import { DefinitionError } from '../definition/definition-problem.js';
import { loadDefinition, type LoadedDefinition } from '../definition/load-definition.js';
import { driveExperiment, variantIdsOf } from '../plan/drive-experiment.js';
import { readHostResults } from '../plan/host-results.js';
import { preflight } from '../plan/preflight.js';
import { checkGates, undecidedGates } from '../report/gate-check.js';
import { jsonReport } from '../report/json-report.js';
import { junitReport } from '../report/junit-report.js';
import { markdownReport } from '../report/markdown-report.js';
import { createProgressDisplay } from '../report/progress-display.js';
import { resultsTable } from '../report/results-table.js';
import { describeRuns, gatesSummary, type RunReport } from '../report/run-report.js';
import { seconds, type GlobalFlags } from '../settings.js';
import { commandContext, type CommandContext, type Output } from './command-context.js';

export interface RunFlags {
  markdown?: string;
  junit?: string;
  json?: string;
  check?: boolean;
  pollInterval: string;
}

// The server writes a completed run to its host (Phoenix) a moment later: long enough to wait for that, not more.
const hostResultsWaitMs = 30_000;

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

function exitCodeOf(report: RunReport): RunReport['exitCode'] {
  if (report.gates.some((gate) => gate.status === 'failed')) return exitCodes.gateFailed;
  return report.gates.some((gate) => gate.status === 'undecided') ? exitCodes.error : exitCodes.passed;
}

// After a failure, the gates as far as the server can tell at once (no waiting), so the reports still show them;
// when it cannot tell, each gate is undecided for the reason the command stopped.
async function gatesAfterFailure(report: RunReport, loaded: LoadedDefinition, context: CommandContext | undefined, reason: string) {
  report.gates = undecidedGates(loaded.definition.gates, reason);
  if (!report.experiment || !context) return;
  try {
    const id = report.experiment.id;
    const [experiment, results] = await Promise.all([context.api.getExperiment(id), context.api.getResults(id)]);
    report.results = results;
    report.gates = checkGates(loaded.definition.gates, results, variantIdsOf(loaded, experiment));
  } catch {
    // The server cannot tell more now: the gates stay undecided for the reason given.
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
  let context: CommandContext | undefined;
  try {
    loaded = await loadDefinition(file);
    const { definition } = loaded;
    if (flags.check) {
      const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
      output.out(
        `${file}: the definition is valid (${count(definition.variants.length, 'variant')}, ${count(definition.gates.length, 'gate')}).\n`,
      );
      return exitCodes.passed;
    }
    const pollIntervalMs = seconds(flags.pollInterval, '--poll-interval');
    context = commandContext(globals, output);
    const { api, settings } = context;
    const display = createProgressDisplay(output.progressStream);
    const wait = { ...context.wait, onOutage: (message: string) => display.note(redact(message)) };
    const describe = (experiment: ApiExperiment) => {
      const hypothesis = definition.hypothesis ?? null;
      report.experiment = {
        id: experiment.id,
        name: experiment.name,
        key: definition.key,
        url: `${settings.url}/experiments/${experiment.id}`,
        hypothesis,
      };
    };

    const driven = await (async () => {
      try {
        const { tasks } = await preflight(api, loaded, wait);
        return await driveExperiment({ api, loaded, tasks, display, wait, pollIntervalMs, onExperiment: describe });
      } finally {
        display.stop();
      }
    })();
    describe(driven.experiment);
    const hostResults = await readHostResults(api, driven.experiment, driven.runs, { wait, waitMs: hostResultsWaitMs, pollIntervalMs });
    report.runs = driven.runs.map((run) => {
      const inHost = hostResults.get(run.runId);
      return inHost ? { ...run, hostResults: inHost } : run;
    });
    report.results = await whileServerAnswers(() => api.getResults(driven.experiment.id), wait);
    report.gates = checkGates(definition.gates, report.results, driven.variantIds);
    report.exitCode = exitCodeOf(report);
    const failed = report.gates.filter((gate) => gate.status === 'failed');
    const undecided = report.gates.filter((gate) => gate.status === 'undecided');
    if (report.exitCode === exitCodes.error) {
      report.error = `a gate could not be decided: ${undecided.map((gate) => `${gate.variant} (${gate.reasons[0]})`).join('; ')}`;
    }

    output.out(`Experiment "${driven.experiment.name}" — ${report.experiment!.url}\n`);
    for (const line of describeRuns(report.runs)) output.out(`  ${line}\n`);
    output.out(`\n${resultsTable(report.results, report.gates)}\n\n`);
    if (report.exitCode === exitCodes.passed) output.out(`All gates passed (${gatesSummary(report.gates)}).\n`);
    else if (report.exitCode === exitCodes.gateFailed)
      output.err(`Gate failed: ${failed.map((gate) => `${gate.variant} — ${gate.reasons[0]}`).join('; ')}\n`);
    else output.err(`Gate undecided: ${undecided.map((gate) => `${gate.variant} — ${gate.reasons[0]}`).join('; ')}\n`);
  } catch (error) {
    if (!(error instanceof CliError) && !(error instanceof DefinitionError)) throw error;
    report.exitCode = exitCodes.error;
    report.error = error.message;
    output.err(`${error instanceof DefinitionError ? `The definition was refused:\n${error.message}` : `Error: ${error.message}`}\n`);
    if (loaded) await gatesAfterFailure(report, loaded, context, error.message);
  }
  await writeOutputs(flags, report, output, redact);
  return report.exitCode;
}
