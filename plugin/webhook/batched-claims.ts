interface Waiter<T> {
  resolve(value: T | null): void;
  reject(error: unknown): void;
}

/**
 * Serves claims one at a time from `claim(limit)` statements, each covering every lane that asked meanwhile.
 * At a run's start all lanes ask together: one statement instead of one round trip each, which held the
 * first webhooks back. `null` means nothing is left to claim now.
 */
export function batchedClaims<T>(claim: (limit: number) => Promise<T[]>): () => Promise<T | null> {
  let waiting: Array<Waiter<T>> = [];
  let scheduled = false;
  const flush = async () => {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const claimed = await claim(batch.length);
        batch.forEach((waiter, i) => waiter.resolve(claimed[i] ?? null));
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    scheduled = false;
  };
  return () =>
    new Promise<T | null>((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (scheduled) return;
      scheduled = true;
      // After the current turn of the event loop, so lanes asking in the same turn share the statement.
      setImmediate(() => void flush());
    });
}
