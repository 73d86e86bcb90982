import type { Context } from 'hono';

export interface FailedKeyLimits {
  /** Failed API-key attempts a client may make per window before it gets 429s. */
  maxFailures: number;
  windowSeconds: number;
}

export const defaultFailedKeyLimits: FailedKeyLimits = { maxFailures: 20, windowSeconds: 60 };

/**
 * Counts failed API-key attempts per client and says for how long a client that made too many must wait. A fixed
 * window per client: enough to make guessing keys (which are long and random) hopeless, and no state to share.
 */
export function createFailedKeyLimiter(limits: FailedKeyLimits = defaultFailedKeyLimits) {
  const windows = new Map<string, { startedAt: number; failures: number }>();
  const windowMs = limits.windowSeconds * 1000;
  const current = (client: string, now: number) => {
    const window = windows.get(client);
    return window && now - window.startedAt < windowMs ? window : undefined;
  };
  return {
    /** Seconds the client must wait before trying another key, or null when it may try now. */
    retryAfter(client: string, now = Date.now()): number | null {
      const window = current(client, now);
      if (!window || window.failures < limits.maxFailures) return null;
      return Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000));
    },
    recordFailure(client: string, now = Date.now()) {
      const window = current(client, now);
      if (window) window.failures += 1;
      else {
        // Old windows are dropped when the map grows, so a scan of many addresses cannot fill memory.
        if (windows.size >= 10_000) for (const [key, w] of windows) if (now - w.startedAt >= windowMs) windows.delete(key);
        windows.set(client, { startedAt: now, failures: 1 });
      }
    },
  };
}

export type FailedKeyLimiter = ReturnType<typeof createFailedKeyLimiter>;

/**
 * The client a failed attempt is counted against: the connection's peer address (Node's server), not a header a
 * client could set. Behind a proxy every client shares the proxy's address, which errs on the side of limiting.
 */
export function clientOf(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
