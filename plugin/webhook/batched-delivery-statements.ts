interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** What one statement does: write these outcomes, claim up to `limit` tests. */
export type DeliveryStatement<O, T> = (outcomes: O[], limit: number) => Promise<{ written: boolean[]; claimed: T[] }>;

/**
 * The delivery lanes' writes and claims, gathered into shared statements: everything asked in the same turn of the
 * event loop, or while the previous statement ran, goes into the next one (at most one runs at a time). A lane
 * writes its last test's outcome in the same turn as it claims its next, so at any rate most tests cost a share of
 * one statement instead of one each; at a run's start all lanes claim together. `claim` answers `null` when nothing
 * is left to claim now; `write` answers whether the outcome changed its row.
 *
 * `minIntervalMs`, read before each statement, spaces statements out: one starts about that long after the previous
 * one started (Node's timers count whole milliseconds on the event loop's cached clock, so up to a millisecond or two
 * sooner), and what is asked meanwhile shares it. The first after a quiet spell starts at once.
 */
export function batchedDeliveryStatements<O, T>(statement: DeliveryStatement<O, T>, options: { minIntervalMs?: () => number } = {}) {
  let claims: Array<Waiter<T | null>> = [];
  let writes: Array<{ outcome: O } & Waiter<boolean>> = [];
  let scheduled = false;
  let lastStart = Number.NEGATIVE_INFINITY;
  const flush = async () => {
    while (claims.length > 0 || writes.length > 0) {
      const wait = lastStart + (options.minIntervalMs?.() ?? 0) - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lastStart = performance.now();
      const [claimBatch, writeBatch] = [claims, writes];
      claims = [];
      writes = [];
      try {
        const { written, claimed } = await statement(
          writeBatch.map((write) => write.outcome),
          claimBatch.length,
        );
        writeBatch.forEach((write, i) => write.resolve(written[i] ?? false));
        claimBatch.forEach((waiter, i) => waiter.resolve(claimed[i] ?? null));
      } catch (error) {
        for (const waiter of [...writeBatch, ...claimBatch]) waiter.reject(error);
      }
    }
    scheduled = false;
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // After the current turn of the event loop, so lanes asking in the same turn share the statement.
    setImmediate(() => void flush());
  };
  return {
    claim: () =>
      new Promise<T | null>((resolve, reject) => {
        claims.push({ resolve, reject });
        schedule();
      }),
    write: (outcome: O) =>
      new Promise<boolean>((resolve, reject) => {
        writes.push({ outcome, resolve, reject });
        schedule();
      }),
  };
}
