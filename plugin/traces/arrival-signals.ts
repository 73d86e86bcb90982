import type { Client } from '@temporalio/client';
import { testsSettledSignal, traceArrivedSignal } from '../../workflows/shared.js';
import { createBackgroundWork } from './background-work.js';

export interface Arrival {
  workflowId: string;
  testId: string;
  traceId: string;
}

// Long enough for a healthy server; short enough that a restarting one does not keep sends pending for the
// client's whole retry time. A signal that fails is not lost: the link is stored and the run's sweep finds it.
const signalDeadlineMs = 5_000;

/**
 * Tells runs about linked traces (and about their last open test being settled) without holding up
 * ingestion, and keeps track of the sends in flight so the plugin can let them finish before it closes
 * the Temporal connection under them.
 */
// The default logger looks up console.warn at each call, so a test (or host) that replaces it later is heard.
export function createArrivalSignaller(temporal: () => Promise<Client>, log: (message: string) => void = (message) => console.warn(message)) {
  const sends = createBackgroundWork(log);

  function send(what: string, signals: (client: Client) => Array<Promise<void>>) {
    // A failure is logged by the background work, as "experiments: <this text>: <the error>".
    sends.start(`could not signal a run about ${what}; its sweep will find them`, async () => {
      const client = await temporal();
      await client.connection.withDeadline(Date.now() + signalDeadlineMs, () => Promise.all(signals(client)));
    });
  }

  return {
    /** Linked traces the run's workflow is to evaluate. */
    signal(arrivals: Arrival[]) {
      send(`${arrivals.length} trace(s)`, (client) =>
        arrivals.map((a) => client.workflow.getHandle(a.workflowId).signal(traceArrivedSignal, { testId: a.testId, traceId: a.traceId })),
      );
    },
    /** The run has no open test left: it may finish now rather than at its next sweep. */
    settled(workflowId: string) {
      send('its settled tests', (client) => [client.workflow.getHandle(workflowId).signal(testsSettledSignal)]);
    },
    /** Resolves when every send started so far has finished (each ends within the deadline). */
    drain: sends.drain,
  };
}

export type ArrivalSignaller = ReturnType<typeof createArrivalSignaller>;
