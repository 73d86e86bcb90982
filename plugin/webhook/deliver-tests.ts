import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import { claimNextDelivery, type ClaimedDelivery } from '../store/dispatch-repository.js';
import { countWithStatus, markAccepted, markErrored, releaseInterruptedDeliveries } from '../store/test-repository.js';
import { sendTestWebhook, type WebhookOutcome } from './send-test-webhook.js';

export interface DeliveryLimits {
  /** Webhook requests in flight at once: the load the user allows on their application. */
  concurrency: number;
  /** Accepted tests still waiting for their trace; delivery pauses at this many. */
  awaitingLimit: number;
  /** Claims before returning, so the workflow can roll its history over between deliveries. */
  maxTests: number;
  traceTimeoutSeconds: number;
}

export interface DeliveryDependencies {
  db: Db;
  host: ExperimentsHost;
  config: ExperimentsConfig;
  /** Aborts every request in flight and stops claiming (activity cancellation). */
  signal?: AbortSignal;
  /** Called often while working, e.g. to heartbeat. */
  onProgress?: (claimed: number) => void;
}

/** Attempts per test before it counts as errored; 5xx, 408, 429, timeouts and network errors are retried. */
export const deliveryAttempts = 6;
const backoffMs = (attempt: number) => Math.min(500 * 2 ** (attempt - 1), 8_000);
const roomPollMs = 200;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Delivers a run's pending tests to the application with `concurrency` lanes, each sending one
 * webhook at a time and retrying with backoff. Every outcome is written to the test's row, so a
 * crash loses nothing: interrupted deliveries are released and sent again with the same test id.
 */
export async function deliverTests(deps: DeliveryDependencies, runId: string, limits: DeliveryLimits) {
  const { db, signal } = deps;
  await releaseInterruptedDeliveries(db, runId);
  let claimed = 0;
  let awaiting = await countWithStatus(db, runId, 'awaiting_trace');

  // Accepted tests leave the lane; when too many wait for traces, wait for room (traces or timeouts).
  const room = async (stop?: AbortSignal) => {
    while (awaiting >= limits.awaitingLimit && !stop?.aborted) {
      awaiting = await countWithStatus(db, runId, 'awaiting_trace');
      if (awaiting < limits.awaitingLimit) return;
      deps.onProgress?.(claimed);
      await sleep(roomPollMs, stop);
    }
  };

  const lane = async (laneDeps: DeliveryDependencies) => {
    for (;;) {
      await room(laneDeps.signal);
      if (laneDeps.signal?.aborted || claimed >= limits.maxTests) return;
      claimed += 1;
      const test = await claimNextDelivery(db, runId);
      if (!test) {
        claimed -= 1;
        return;
      }
      const accepted = await deliverOne(laneDeps, test, limits.traceTimeoutSeconds);
      if (accepted) awaiting += 1;
      deps.onProgress?.(claimed);
    }
  };
  // If one lane fails (e.g. the database went away), stop the others before the activity fails: its retry
  // starts fresh lanes, and lanes still sending would exceed the concurrency the user allowed.
  const stopAll = new AbortController();
  const parentAbort = () => stopAll.abort();
  signal?.addEventListener('abort', parentAbort, { once: true });
  const laneDeps = { ...deps, signal: stopAll.signal };
  const failures: unknown[] = [];
  try {
    await Promise.all(
      Array.from({ length: limits.concurrency }, () =>
        lane(laneDeps).catch((error: unknown) => {
          failures.push(error);
          stopAll.abort();
        }),
      ),
    );
  } finally {
    signal?.removeEventListener('abort', parentAbort);
  }
  if (failures.length > 0) throw failures[0];
  return { claimed, pendingLeft: await countWithStatus(db, runId, 'pending') };
}

async function deliverOne(deps: DeliveryDependencies, test: ClaimedDelivery, traceTimeoutSeconds: number): Promise<boolean> {
  const { db, host, config, signal } = deps;
  // Read per test (no cache): a webhook fixed by the user applies to the very next delivery.
  const target = await host.application.get(test.projectId);
  if (!target) {
    await markErrored(db, test.testRowId, test.testId, 'the project has no webhook configured');
    return false;
  }
  let outcome: WebhookOutcome = { kind: 'retryable', message: 'not sent' };
  let attempt = 0;
  while (attempt < deliveryAttempts) {
    attempt += 1;
    outcome = await sendTestWebhook({
      url: target.url,
      secret: target.secret,
      headers: target.headers,
      webhookId: test.testId,
      body: test.body,
      timeoutMs: config.webhookTimeoutMs,
      signal,
    });
    if (outcome.kind !== 'retryable' || signal?.aborted) break;
    deps.onProgress?.(0);
    if (attempt < deliveryAttempts) await sleep(backoffMs(attempt), signal);
  }
  if (signal?.aborted && outcome.kind !== 'accepted') return false;
  if (outcome.kind === 'accepted') {
    await markAccepted(db, test.testRowId, test.testId, traceTimeoutSeconds, outcome.status);
    return true;
  }
  const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
  await markErrored(db, test.testRowId, test.testId, `webhook ${outcome.message}${tries}`, outcome.status);
  return false;
}
