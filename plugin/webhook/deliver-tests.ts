import { setMaxListeners } from 'node:events';
import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost, HostApplication } from '../host.js';
import { rememberedReads } from '../remembered-reads.js';
import type { Db } from '../store/connect.js';
import { recordOutcomesAndClaim, type ClaimedDelivery, type DeliveryOutcome } from '../store/dispatch-repository.js';
import { getRunContext } from '../store/run-repository.js';
import { countWithStatus, releaseInterruptedDeliveries } from '../store/test-repository.js';
import { batchedDeliveryStatements } from './batched-delivery-statements.js';
import { freshChecks } from './fresh-checks.js';
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
  /** Runs before each claim: a run that may stop decides here, so a test pending at its decision is never claimed. */
  beforeClaim?: () => Promise<unknown>;
}

/** Attempts per test before it counts as errored; 5xx, 408, 429, timeouts and network errors are retried. */
export const deliveryAttempts = 6;
const backoffMs = (attempt: number) => Math.min(500 * 2 ** (attempt - 1), 8_000);
const roomPollMs = 200;
const maxStatementSpacingMs = 20;
const targetMaxAgeMs = 1_000;

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
  const { db, host, signal } = deps;
  // Independent reads and the release (which moves `dispatched` tests only) go to Postgres at once.
  const [, initiallyAwaiting, run] = await Promise.all([
    releaseInterruptedDeliveries(db, runId),
    countWithStatus(db, runId, 'awaiting_trace'),
    getRunContext(db, runId),
  ]);
  let claimed = 0;
  let awaiting = initiallyAwaiting;
  const projectId = run?.projectId;

  // Accepted tests leave the lane; when too many wait for traces, wait for room (traces or timeouts). The lanes
  // waiting share the counts (with a lane each asking, a run held back by slow traces polled 20 times as often),
  // but each lane takes a count begun after it asked: an older one misses the tests accepted since, and lanes
  // trusting it went past the limit.
  const countAwaiting = freshChecks(() => countWithStatus(db, runId, 'awaiting_trace'));
  const room = async (stop?: AbortSignal) => {
    while (awaiting >= limits.awaitingLimit && !stop?.aborted) {
      awaiting = await countAwaiting();
      if (awaiting < limits.awaitingLimit) return;
      await sleep(roomPollMs, stop);
    }
  };

  // Read at most once a second, not per test: a webhook the user fixes applies within a second.
  const targets = rememberedReads(targetMaxAgeMs, (id: string) => host.application.get(id));
  const currentTarget = () => (projectId ? targets.get(projectId) : null);
  // Outcomes and claims of every lane share statements (see batched-delivery-statements.ts), spaced by a quarter of a
  // webhook's usual round trip (at most 20 ms): a lane claims its next test as its webhook goes out, so the claim is
  // back before the answer, and the lanes' turns in between share one statement instead of one or two each.
  let usualRoundTripMs = 0;
  const statements = batchedDeliveryStatements((outcomes: DeliveryOutcome[], limit) => recordOutcomesAndClaim(db, runId, outcomes, limit), {
    minIntervalMs: () => Math.min(maxStatementSpacingMs, usualRoundTripMs / 4),
  });
  const lane = async (laneDeps: DeliveryDependencies) => {
    const claimNext = async (): Promise<[ClaimedDelivery | null, HostApplication | null]> => {
      await room(laneDeps.signal);
      if (laneDeps.signal?.aborted || claimed >= limits.maxTests) return [null, null];
      claimed += 1;
      if (laneDeps.beforeClaim) await laneDeps.beforeClaim();
      const [test, target] = await Promise.all([statements.claim(), currentTarget()]);
      if (!test) claimed -= 1;
      return [test, target];
    };
    // While a webhook is out, the lane writes the previous test's outcome and claims the next test, so the
    // application never waits on Postgres between tests; a lane has at most one outcome write pending. A
    // test claimed but not sent when the lane stops stays `dispatched`: a retried delivery releases it, a
    // cancelled run closes it. An outcome not yet written when the worker dies is a test sent again.
    // Both are awaited later; until then a failure must not count as an unhandled rejection.
    const handled = <T>(promise: Promise<T>) => (promise.catch(() => {}), promise);
    let ahead = handled(claimNext());
    let writing: Promise<unknown> = Promise.resolve();
    try {
      for (;;) {
        const [test, target] = await ahead;
        if (!test) return;
        ahead = handled(claimNext());
        const sentAt = performance.now();
        const delivered = await deliverOne(laneDeps, statements.write, test, target, limits.traceTimeoutSeconds);
        const roundTripMs = performance.now() - sentAt;
        usualRoundTripMs = usualRoundTripMs === 0 ? roundTripMs : usualRoundTripMs + (roundTripMs - usualRoundTripMs) / 10;
        const written = handled(delivered.written);
        await writing;
        if (delivered.accepted) awaiting += 1;
        writing = written;
      }
    } finally {
      // Settled before the lane ends; a failure here was already reported by the loop or is reported now.
      await Promise.all([ahead, writing]);
    }
  };
  // If one lane fails (e.g. the database went away), stop the others before the activity fails: its retry
  // starts fresh lanes, and lanes still sending would exceed the concurrency the user allowed.
  const stopAll = new AbortController();
  // Every lane listens while it waits (a webhook, a back-off): that many listeners is expected, not a leak.
  setMaxListeners(limits.concurrency * 2 + 10, stopAll.signal);
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

/** Sends one test's webhook; its outcome is being written (through `write`) when this returns (`written`). */
async function deliverOne(
  deps: DeliveryDependencies,
  write: (outcome: DeliveryOutcome) => Promise<boolean>,
  test: ClaimedDelivery,
  target: HostApplication | null,
  traceTimeoutSeconds: number,
): Promise<{ accepted: boolean; written: Promise<unknown> }> {
  const { config, signal } = deps;
  const { testRowId, testId } = test;
  if (!target) return { accepted: false, written: write({ testRowId, testId, accepted: false, error: 'the project has no webhook configured' }) };
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
      allowedHosts: config.webhookAllowedHosts,
    });
    if (outcome.kind !== 'retryable' || signal?.aborted) break;
    if (attempt < deliveryAttempts) await sleep(backoffMs(attempt), signal);
  }
  if (signal?.aborted && outcome.kind !== 'accepted') return { accepted: false, written: Promise.resolve() };
  if (outcome.kind === 'accepted') return { accepted: true, written: write({ testRowId, testId, accepted: true, httpStatus: outcome.status, traceTimeoutSeconds }) };
  const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
  return { accepted: false, written: write({ testRowId, testId, accepted: false, error: `webhook ${outcome.message}${tries}`, httpStatus: outcome.status }) };
}
