import { startReceiver, type Receiver } from '../helpers/receivers.js';
import type { RunStack } from '../helpers/run-stack.js';

export type Answer = 'accept' | 'unavailable' | 'hang';

export interface TracingReceiver {
  receiver: Receiver;
  /** Every answer given, per test id, in order. */
  answers: Map<string, Answer[]>;
  /** The most webhook requests that were in flight at once. */
  maxInFlight(): number;
  /** Trace posts the host did not take (5xx, network errors, no answer in time) and that were sent again. */
  traceRetries(): number;
  /** Traces still being posted. */
  pendingTraces(): number;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const traceTimeoutMs = 10_000;

/**
 * An application that answers the plugin's webhooks itself and, for each accepted test, posts its
 * trace to the host (`POST /api/traces`), retrying after an error or 10 s without an answer until the
 * host takes it: what a careful exporter does, so a trace is only missing if the host or plugin lost
 * it. The trace id derives from the test id, so a retried post stores the same trace, not a second one.
 */
export async function startTracingReceiver(
  stack: RunStack,
  options: { answer?: (testId: string, attempt: number) => Answer; answerAfterMs?: number } = {},
): Promise<TracingReceiver> {
  const answers = new Map<string, Answer[]>();
  let inFlight = 0;
  let maxInFlight = 0;
  let traceRetries = 0;
  let pendingTraces = 0;
  let closed = false;

  const postTrace = async (testId: string) => {
    pendingTraces += 1;
    const traceId = testId.replaceAll('-', '');
    const body = JSON.stringify({ traceId, spanId: traceId.slice(0, 16), testId, name: 'pipeline', output: 'ok, done' });
    try {
      for (let tries = 0; !closed && tries < 600; tries += 1) {
        // A timeout per post, as exporters have: a request the host never answers is sent again.
        const status = await fetch(`${stack.baseUrl}/api/traces`, {
          method: 'POST',
          headers: { 'x-api-key': stack.apiKey, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(traceTimeoutMs),
        }).then(
          async (response) => (await response.arrayBuffer(), response.status),
          () => 0,
        );
        if (status === 201) return;
        traceRetries += 1;
        await pause(200);
      }
    } finally {
      pendingTraces -= 1;
    }
  };

  const receiver = await startReceiver({
    respond: async ({ body }) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const testId = body.testId as string;
        const given = answers.get(testId) ?? [];
        const answer = options.answer?.(testId, given.length + 1) ?? 'accept';
        given.push(answer);
        answers.set(testId, given);
        // Holding each request a moment makes the number in flight at once observable.
        if (options.answerAfterMs) await pause(options.answerAfterMs);
        if (answer === 'hang') return 'hang';
        if (answer === 'unavailable') return { status: 503, body: 'overloaded' };
        setTimeout(() => void postTrace(testId), 5);
        return { status: 202 };
      } finally {
        inFlight -= 1;
      }
    },
  });
  const saved = await stack.api('PUT', '/api/webhook', { url: receiver.url });
  if (saved.status !== 200) throw new Error(`webhook not saved: ${saved.status} ${JSON.stringify(saved.body)}`);

  return {
    receiver,
    answers,
    maxInFlight: () => maxInFlight,
    traceRetries: () => traceRetries,
    pendingTraces: () => pendingTraces,
    async close() {
      closed = true;
      await receiver.close();
    },
  };
}
