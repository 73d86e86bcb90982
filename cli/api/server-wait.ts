import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../cli-error.js';
import { ServerUnavailableError } from './api-client.js';

export interface ServerWaitOptions {
  /** How long to keep trying while the server does not answer, from its first miss. */
  timeoutMs: number;
  /** Told once when the server stops answering and once when it answers again. */
  onOutage?: (message: string) => void;
}

const firstDelayMs = 250;
const longestDelayMs = 5_000;

/**
 * Runs `operation`, and again with exponential backoff (with jitter) while the server is unreachable; after
 * `timeoutMs` without an answer it gives up with an error saying so. Every operation given here must be safe to
 * repeat: the caller reads the server's state before acting on it.
 */
export async function whileServerAnswers<T>(operation: () => Promise<T>, options: ServerWaitOptions): Promise<T> {
  let since: number | null = null;
  let delay = firstDelayMs;
  for (;;) {
    try {
      const result = await operation();
      if (since !== null) options.onOutage?.(`The server answers again after ${((Date.now() - since) / 1000).toFixed(0)} s.`);
      return result;
    } catch (error) {
      if (!(error instanceof ServerUnavailableError)) throw error;
      const now = Date.now();
      if (since === null) {
        since = now;
        options.onOutage?.(`${error.message}; trying again for up to ${Math.round(options.timeoutMs / 1000)} s.`);
      }
      if (now - since >= options.timeoutMs) {
        throw new CliError(
          `The server at ${error.url} has not answered for ${Math.round((now - since) / 1000)} s (last: ${error.reason}); gave up after --server-timeout. ` +
            'Runs already started go on on the server: run the same command again to pick them up, or `experiments status` to look.',
        );
      }
      await sleep(Math.min(delay * (0.75 + Math.random() / 2), since + options.timeoutMs - now));
      delay = Math.min(delay * 2, longestDelayMs);
    }
  }
}
