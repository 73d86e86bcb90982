/** Exit codes of the `experiments` command. */
export const exitCodes = {
  /** Every gate passed (or there were none). */
  passed: 0,
  /** A gate failed: a variant is worse, not better, or below its pass-rate floor. */
  gateFailed: 1,
  /** The command could not do its job: usage, definition, server or run error. */
  error: 2,
} as const;

/** An error that ends the command with exit code 2 and a message saying why. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
