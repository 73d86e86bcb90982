import type { Client } from '@temporalio/client';
import { traceArrivedSignal } from '../../workflows/shared.js';

export interface Arrival {
  workflowId: string;
  testId: string;
  traceId: string;
}

// Long enough for a healthy server; short enough that a restarting one does not keep sends pending for the
// client's whole retry time. A signal that fails is not lost: the link is stored and the run's sweep finds it.
const signalDeadlineMs = 5_000;

/**
 * Tells runs about linked traces without holding up ingestion, and keeps track of the sends in flight so
 * the plugin can let them finish before it closes the Temporal connection under them.
 */
// The default logger looks up console.warn at each call, so a test (or host) that replaces it later is heard.
export function createArrivalSignaller(temporal: () => Promise<Client>, log: (message: string) => void = (message) => console.warn(message)) {
  const inFlight = new Set<Promise<void>>();

  async function send(arrivals: Arrival[]) {
    try {
      const client = await temporal();
      await client.connection.withDeadline(Date.now() + signalDeadlineMs, () =>
        Promise.all(arrivals.map((a) => client.workflow.getHandle(a.workflowId).signal(traceArrivedSignal, { testId: a.testId, traceId: a.traceId }))),
      );
    } catch (error) {
      log(`experiments: could not signal a run about ${arrivals.length} trace(s); its sweep will find them: ${(error as Error).message}`);
    }
  }

  return {
    signal(arrivals: Arrival[]) {
      const sending = send(arrivals).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    },
    /** Resolves when every send started so far has finished (each ends within the deadline). */
    async drain() {
      await Promise.all([...inFlight]);
    },
  };
}

export type ArrivalSignaller = ReturnType<typeof createArrivalSignaller>;
