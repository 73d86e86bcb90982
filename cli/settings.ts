import { CliError } from './cli-error.js';

/** Options every command takes, from flags or the environment. */
export interface GlobalFlags {
  url?: string;
  apiKey?: string;
  verbose?: boolean;
  serverTimeout: string;
}

export interface Settings {
  url: string;
  apiKey: string;
  verbose: boolean;
  serverTimeoutMs: number;
}

/** Seconds from a flag: a positive number, else a usage error naming the flag. */
export function seconds(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new CliError(`${flag} must be a positive number of seconds, not "${value}".`);
  return parsed * 1000;
}

/** The server's address and key: a flag wins over `EXPERIMENTS_URL` / `EXPERIMENTS_API_KEY`. */
export function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Settings {
  const url = flags.url ?? (env.EXPERIMENTS_URL || undefined);
  const apiKey = flags.apiKey ?? (env.EXPERIMENTS_API_KEY || undefined);
  if (!url)
    throw new CliError(
      "No server given: set EXPERIMENTS_URL (or pass --url) to the Experiments tab's address, e.g. http://localhost:3000/plugins/experiments.",
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`EXPERIMENTS_URL (or --url) is not a URL: "${url}".`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new CliError(`EXPERIMENTS_URL (or --url) must be an http(s) address, not "${parsed.protocol}".`);
  if (parsed.username || parsed.password)
    throw new CliError('EXPERIMENTS_URL (or --url) must not carry credentials; give the key in EXPERIMENTS_API_KEY.');
  if (!apiKey) throw new CliError("No API key given: set EXPERIMENTS_API_KEY (or pass --api-key) to the project's API key.");
  return {
    url: parsed.href.replace(/\/+$/, ''),
    apiKey,
    verbose: flags.verbose === true,
    serverTimeoutMs: seconds(flags.serverTimeout, '--server-timeout'),
  };
}

/** Replaces every occurrence of the key, so no message, log line or file can show it. */
export function redactor(secret: string | undefined): (text: string) => string {
  if (!secret) return (text) => text;
  return (text) => text.split(secret).join('***');
}
