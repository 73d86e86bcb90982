/**
 * Serves asks for a check whose answer must be no older than the ask: an ask while no check runs starts one; asks
 * made while one runs share the next, started when it ends. So however many lanes ask, at most one check runs at a
 * time and each ask waits for at most two. Used before each claim of a run that may stop (issue 15): a lane claims
 * only after a look at the database that began after it asked.
 */
export function freshChecks<T>(check: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const current = check().finally(() => {
      if (running === current) running = null;
    });
    running = current;
    return current;
  };
  return () => {
    if (!running) return start();
    if (!next) {
      next = running.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        next = null;
        return start();
      });
    }
    return next;
  };
}
