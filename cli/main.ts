import { Command, CommanderError, Option } from 'commander';
import { CliError, exitCodes } from './cli-error.js';
import { cancelCommand } from './commands/cancel-command.js';
import { commandContext, type Output } from './commands/command-context.js';
import { exportCommand } from './commands/export-command.js';
import { runCommand, type RunFlags } from './commands/run-command.js';
import { statusCommand } from './commands/status-command.js';
import { packageVersion } from './package-version.js';
import { redactor, type GlobalFlags } from './settings.js';

const exitCodesHelp = `
Exit codes:
  0  every gate passed (or the command did its job)
  1  a gate failed: a variant is worse (or not better) than the baseline, or below its pass-rate floor
  2  usage, definition or server error, or a gate that could not be decided (its run did not complete)

Environment:
  EXPERIMENTS_URL      the Experiments tab's address, e.g. http://localhost:3000/plugins/experiments
  EXPERIMENTS_API_KEY  the project's API key (never printed)`;

function program(output: Output, redact: (text: string) => string, setExitCode: (code: number) => void): Command {
  const root = new Command('experiments')
    .description('Experiments as code: define, run, gate and report LLM pipeline experiments from a terminal or a CI pipeline.')
    .addOption(new Option('--url <url>', "the Experiments tab's address (default: $EXPERIMENTS_URL)"))
    .addOption(
      new Option(
        '--api-key <key>',
        "the project's API key (default: $EXPERIMENTS_API_KEY; prefer the variable, a flag shows in process lists)",
      ),
    )
    .option('--server-timeout <seconds>', 'how long to keep trying while the server does not answer', '300')
    .option('--verbose', 'print each request (never its headers)')
    .version(packageVersion(), '--version', 'print the version')
    .addHelpText('after', exitCodesHelp)
    .showHelpAfterError('(experiments --help shows the commands and options)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(redact(text)), writeErr: (text) => output.err(redact(text)) });
  const globals = () => root.opts<GlobalFlags>();

  root
    .command('run')
    .description('create or reuse the experiment a definition describes, run what has not run, print the results and check the gates')
    .argument('<file>', 'the experiment definition (YAML)')
    .option('--markdown <file>', 'write a Markdown summary (for a pull-request comment)')
    .option('--junit <file>', 'write JUnit XML, one test case per gate')
    .option('--json <file>', 'write the results as JSON')
    .option('--poll-interval <seconds>', "how often to read a run's progress", '1')
    .option('--check', 'only check the definition; contact no server')
    .action(async (file: string, flags: RunFlags) => setExitCode(await runCommand(file, flags, globals(), output, redact)));

  root
    .command('status')
    .description("show an experiment's status, runs and results")
    .argument('<experiment>', "the experiment's id, or the key (name) of its definition")
    .option('--json', 'print JSON instead of a table')
    .action(async (reference: string, flags: { json?: boolean }) =>
      setExitCode(await statusCommand(reference, flags, commandContext(globals(), output))),
    );

  root
    .command('export')
    .description('print the effective configuration of the winner, or of a named variant, as JSON')
    .argument('<experiment>', "the experiment's id, or the key (name) of its definition")
    .option('--variant <name>', "a variant's name or id (`baseline` for the baseline) instead of the winner")
    .option('-o, --output <file>', 'write the configuration to a file instead of standard output')
    .action(async (reference: string, flags: { variant?: string; output?: string }) =>
      setExitCode(await exportCommand(reference, flags, commandContext(globals(), output))),
    );

  root
    .command('cancel')
    .description("cancel the experiment's running run")
    .argument('<experiment>', "the experiment's id, or the key (name) of its definition")
    .action(async (reference: string) => setExitCode(await cancelCommand(reference, commandContext(globals(), output))));

  for (const command of root.commands) {
    command
      .exitOverride()
      .showHelpAfterError('(experiments --help shows the commands and options)')
      .configureOutput({ writeOut: (text) => output.out(redact(text)), writeErr: (text) => output.err(redact(text)) });
  }
  return root;
}

/** Runs the command line `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], output: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const keyFlag = argv.findIndex((arg) => arg === '--api-key' || arg.startsWith('--api-key='));
  const flagKey = keyFlag < 0 ? undefined : argv[keyFlag]!.includes('=') ? argv[keyFlag]!.slice('--api-key='.length) : argv[keyFlag + 1];
  const redact = (text: string) => redactor(env.EXPERIMENTS_API_KEY)(redactor(flagKey)(text));
  const safe: Output = {
    out: (text) => output.out(redact(text)),
    err: (text) => output.err(redact(text)),
    progressStream: output.progressStream,
  };
  let code: number = exitCodes.passed;
  try {
    await program(safe, redact, (value) => (code = value)).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0
        ? exitCodes.passed
        : exitCodes.error;
    }
    if (error instanceof CliError) {
      safe.err(`Error: ${error.message}\n`);
      return exitCodes.error;
    }
    safe.err(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exitCodes.error;
  }
}
