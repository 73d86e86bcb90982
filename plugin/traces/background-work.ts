/**
 * Work the plugin starts without making its caller wait (the host's ingestion), kept track of so that
 * `drain()` can let it finish before the plugin closes its database pool. Work that waits between attempts is
 * told through `stopping` that the plugin is closing, so a drain does not wait out its back-off. A failure is
 * logged: such work only ever saves time or makes up for a failed attempt.
 */
export function createBackgroundWork(log: (message: string) => void = (message) => console.warn(message)) {
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  return {
    /** `what` names the work and what happens if it fails, for the log. */
    start(what: string, work: (stopping: AbortSignal) => Promise<void>) {
      const running = work(stopping.signal)
        .catch((error: unknown) => log(`experiments: ${what}: ${(error as Error).message}`))
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
    },
    async drain() {
      stopping.abort();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

export type BackgroundWork = ReturnType<typeof createBackgroundWork>;
