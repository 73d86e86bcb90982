/**
 * Work the plugin starts without making its caller wait (the host's ingestion), kept track of so that
 * `drain()` can let it finish before the plugin closes its database pool. A failure is logged: such work
 * only ever saves time, and the run's sweep does it later if it fails.
 */
export function createBackgroundWork(log: (message: string) => void = (message) => console.warn(message)) {
  const inFlight = new Set<Promise<void>>();
  return {
    start(what: string, work: () => Promise<void>) {
      const running = work()
        .catch((error: unknown) => log(`experiments: ${what} failed; the run's sweep will retry it: ${(error as Error).message}`))
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

export type BackgroundWork = ReturnType<typeof createBackgroundWork>;
