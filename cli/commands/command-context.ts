import { createApiClient } from '../api/api-client.js';
import { experimentsApi, type ExperimentsApi } from '../api/experiments-api.js';
import type { ServerWaitOptions } from '../api/server-wait.js';
import { resolveSettings, type GlobalFlags, type Settings } from '../settings.js';

/** Where a command writes: results to `out`, progress and messages to `err`; both with the key redacted. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** The stream progress bars draw on. */
  progressStream: NodeJS.WriteStream;
}

export interface CommandContext {
  settings: Settings;
  api: ExperimentsApi;
  wait: ServerWaitOptions;
  output: Output;
}

/** The settings, API client and server-wait policy of one command, from its flags and the environment. */
export function commandContext(flags: GlobalFlags, output: Output): CommandContext {
  const settings = resolveSettings(flags);
  const client = createApiClient({
    url: settings.url,
    apiKey: settings.apiKey,
    ...(settings.verbose ? { log: (line: string) => output.err(`debug: ${line}\n`) } : {}),
  });
  return {
    settings,
    api: experimentsApi(client),
    wait: { timeoutMs: settings.serverTimeoutMs, onOutage: (message) => output.err(`${message}\n`) },
    output,
  };
}
