interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers work per key into batches that start at most once per `intervalMs` for each key. The first item after a
 * quiet spell starts at once; under steady arrivals everything that comes within the interval shares the next
 * batch, waiting at most the interval. Each caller's promise settles with its batch.
 */
export function pacedBatches<T>(run: (key: string, items: T[]) => Promise<void>, intervalMs: number) {
  const gathering = new Map<string, { items: T[]; waiters: Waiter[] }>();
  const lastStart = new Map<string, number>();
  // Each batch from its first item until its run has settled its callers, for drain().
  const unsettled = new Set<Promise<void>>();

  async function start(key: string) {
    const batch = gathering.get(key)!;
    gathering.delete(key);
    lastStart.set(key, performance.now());
    try {
      await run(key, batch.items);
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
    }
  }

  function schedule(key: string) {
    const wait = (lastStart.get(key) ?? -Infinity) + intervalMs - performance.now();
    // After this turn of the event loop at the soonest, so items added in the same turn share the batch.
    const due = new Promise<void>((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
    const settled = due.then(() => start(key)).finally(() => unsettled.delete(settled));
    unsettled.add(settled);
  }

  return {
    add(key: string, items: T[]): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        let batch = gathering.get(key);
        if (!batch) {
          batch = { items: [], waiters: [] };
          gathering.set(key, batch);
          schedule(key);
        }
        batch.items.push(...items);
        batch.waiters.push({ resolve, reject });
      });
    },
    /** Resolves when every batch begun so far has run. */
    async drain(): Promise<void> {
      while (unsettled.size > 0) await Promise.all(unsettled);
    },
  };
}

export type PacedBatches<T> = ReturnType<typeof pacedBatches<T>>;
