import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { startReceiver, type Receiver } from '../helpers/receivers.js';

let stack: RunStack;
const receivers: Receiver[] = [];
const config = { response_generator: { temperature: 0.3 } };

beforeAll(async () => {
  stack = await startRunStack({ demo: false, plugin: { webhookTimeoutMs: 1_000 } });
  await stack.api('POST', '/api/inference-steps', { externalId: 'response_generator', title: 'Responder', type: 'llm' });
});
afterAll(async () => {
  await stack?.close();
  for (const receiver of receivers) await receiver.close();
});

async function receiver(options: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(options);
  receivers.push(r);
  await stack.api('PUT', '/api/webhook', { url: r.url });
  return r;
}

/** The application's side: send the trace of a test to the host, as the plain JSON form. */
const sendTrace = (testId: string, output = 'ok, done') => stack.api('POST', '/api/traces', { testId, name: 'pipeline', output });

const tasks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ title: `Task ${i}`, prompt: `Say ok ${i}`, evaluations: [{ type: 'contains', value: 'ok' }] }));

async function startBaseline(taskCount: number, settings: Record<string, unknown> = {}) {
  const experiment = await createReadyExperiment(stack, await createTasks(stack, tasks(taskCount)), config);
  const run = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, settings);
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  return { experiment, runId: run.body.runId as string };
}

/** The run's test rows, read straight from the plugin's tables. */
async function testRows(runId: string) {
  const rows = await sql<{ test_id: string; status: string; error: string | null; http_status: number | null; attempt: number }>`
    select test_id, status, error, http_status, attempt from experiments.tests where run_id = ${runId} order by position`.execute(stack.host.db);
  return rows.rows;
}

describe('webhook delivery', () => {
  it('refuses a target the allow-list does not cover: each test errors at once with the reason, nothing is sent', async () => {
    const r = await receiver({ respond: () => ({ status: 202 }) });
    // The receiver listens on 127.0.0.1; this stack allows loopback, but not the cloud metadata address.
    await stack.api('PUT', '/api/webhook', { url: 'http://169.254.169.254/latest/meta-data/' });
    const { experiment, runId } = await startBaseline(2);
    const run = await waitForRun(stack, experiment.id, runId);
    expect(run.status).toBe('failed');
    for (const row of await testRows(runId)) {
      expect(row.status).toBe('errored');
      expect(row.error).toMatch(/^webhook refused: 169\.254\.169\.254 is link-local/);
      expect(row.http_status).toBeNull();
    }
    expect(r.received).toHaveLength(0);
  });

  it('retries 5xx, 429 and timeouts with the same test id until the application accepts', async () => {
    const failuresPerTest = new Map<string, number>();
    const r = await receiver({
      respond: async ({ body }) => {
        const seen = failuresPerTest.get(body.testId) ?? 0;
        failuresPerTest.set(body.testId, seen + 1);
        if (seen === 0) return { status: 503, body: 'busy' };
        if (seen === 1) return { status: 429 };
        if (seen === 2) return 'hang';
        setTimeout(() => void sendTrace(body.testId), 20);
        return { status: 202 };
      },
    });
    const { experiment, runId } = await startBaseline(3);
    const run = await waitForRun(stack, experiment.id, runId);
    expect(run.status).toBe('completed');
    expect(run.counts.passed).toBe(3);
    for (const attempts of failuresPerTest.values()) expect(attempts).toBe(4);
    const byTest = new Map<string, typeof r.received>();
    for (const request of r.received) byTest.set(request.headers['webhook-id']!, [...(byTest.get(request.headers['webhook-id']!) ?? []), request]);
    expect(byTest.size).toBe(3);
    for (const [webhookId, requests] of byTest) for (const request of requests) expect(request.body.testId).toBe(webhookId);
  });

  it('fails a test at once on another 4xx, and a baseline whose tests all error fails; fixed, it runs again', async () => {
    const r = await receiver({ respond: () => ({ status: 400, body: '{"error":"unknown field: experiment"}' }) });
    const { experiment, runId } = await startBaseline(4);
    const run = await waitForRun(stack, experiment.id, runId);
    expect(run.status).toBe('failed');
    expect(run.counts.errored).toBe(4);
    expect(r.received).toHaveLength(4);
    const rows = await testRows(runId);
    for (const row of rows) {
      expect(row.status).toBe('errored');
      expect(row.http_status).toBe(400);
      // Status and a reason of our own: the application's body is never stored or shown (it may be anyone's).
      expect(row.error).toBe('webhook HTTP 400: the application refused the test');
    }
    expect((await stack.experiments('GET', `/experiments/${experiment.id}`)).body.status).toBe('baseline_failed');
    const firstAttemptIds = rows.map((row) => row.test_id);
    // The retry comes an hour after the first attempt: the speed must be over the time tests ran, not since the first start.
    await sql`update experiments.runs set started_at = started_at - interval '1 hour', finished_at = finished_at - interval '1 hour',
      resumed_at = resumed_at - interval '1 hour' where id = ${runId}`.execute(stack.host.db);

    await receiver({ respond: ({ body }) => (setTimeout(() => void sendTrace(body.testId), 10), { status: 200 }) });
    const retried = await stack.experiments('POST', `/experiments/${experiment.id}/runs/${runId}/retry`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
    expect(retried.body.retried).toBe(4);
    const after = await waitForRun(stack, experiment.id, runId);
    expect(after.status, JSON.stringify(await testRows(runId))).toBe('completed');
    expect(after.counts).toMatchObject({ passed: 4, errored: 0, total: 4 });
    // 4 tests over two short attempts: at least a test a minute (since the first start it would be 4 / 3600 s).
    expect(after.progress.testsPerSecond).toBeGreaterThan(1 / 60);
    const retriedRows = await testRows(runId);
    expect(retriedRows.every((row) => row.attempt === 2)).toBe(true);
    expect(new Set(retriedRows.map((row) => row.test_id)).size).toBe(4);
    expect((await stack.experiments('GET', `/experiments/${experiment.id}`)).body.status).toBe('baseline_complete');
    // A trace for the first attempt's test id, now that the test has a new one, is kept as late and changes nothing.
    expect((await sendTrace(firstAttemptIds[0]!, 'from the first attempt')).status).toBe(201);
    const links = await sql<{ kind: string }>`select kind from experiments.trace_links where test_id = ${firstAttemptIds[0]!}`.execute(stack.host.db);
    expect(links.rows.map((l) => l.kind)).toEqual(['late']);
    expect(await testRows(runId)).toEqual(retriedRows);
  });

  it('sends again a test left claimed by a delivery that ended without sending it', async () => {
    // The application holds back the first test's trace until the rest are done.
    let heldBack: string | null = null;
    const r = await receiver({
      respond: ({ body }) => {
        if (heldBack === null) heldBack = body.testId;
        else if (body.testId !== heldBack || r.received.filter((q) => q.body.testId === heldBack).length > 1) setTimeout(() => void sendTrace(body.testId), 10);
        return { status: 202 };
      },
    });
    const { experiment, runId } = await startBaseline(3);
    const waiting = async () => (await testRows(runId)).filter((row) => row.status === 'awaiting_trace').length;
    for (let i = 0; i < 100 && (await waiting()) !== 1; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    // What a delivery attempt replaced after a heartbeat timeout can leave behind: a claimed test, never sent.
    await sql`update experiments.tests set status = 'dispatched', dispatched_at = null, deadline_at = null where test_id = ${heldBack!}`.execute(stack.host.db);
    const run = await waitForRun(stack, experiment.id, runId, 30_000);
    expect(run.status).toBe('completed');
    expect(run.counts.passed).toBe(3);
    expect(r.received.filter((q) => q.body.testId === heldBack)).toHaveLength(2);
  });
});

describe('traces', () => {
  it('times out a test whose trace never comes, and keeps a later trace as late without changing the result', async () => {
    await receiver({ respond: () => ({ status: 202 }) });
    const { experiment, runId } = await startBaseline(2, { traceTimeoutSeconds: 1 });
    const run = await waitForRun(stack, experiment.id, runId);
    expect(run.counts.timedOut).toBe(2);
    const [first] = await testRows(runId);
    expect((await sendTrace(first!.test_id)).status).toBe(201);
    const links = await sql<{ kind: string }>`select kind from experiments.trace_links where test_id = ${first!.test_id}`.execute(stack.host.db);
    expect(links.rows.map((l) => l.kind)).toEqual(['late']);
    expect((await testRows(runId))[0]!.status).toBe('timed_out');
  });

  it('records a second trace for the same test as a duplicate that changes nothing', async () => {
    await receiver({
      respond: ({ body }) => {
        setTimeout(() => void sendTrace(body.testId, 'ok first').then(() => sendTrace(body.testId, 'nothing useful')), 10);
        return { status: 202 };
      },
    });
    const { experiment, runId } = await startBaseline(2);
    const run = await waitForRun(stack, experiment.id, runId);
    expect(run.counts.passed).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const kinds = await sql<{ kind: string; n: number }>`
      select kind, count(*)::int as n from experiments.trace_links l join experiments.tests t on t.test_id = l.test_id
      where t.run_id = ${runId} group by kind order by kind`.execute(stack.host.db);
    expect(kinds.rows).toEqual([{ kind: 'duplicate', n: 2 }, { kind: 'linked', n: 2 }]);
    expect((await testRows(runId)).every((row) => row.status === 'passed')).toBe(true);
  });
});

describe('cancel', () => {
  it('stops a running run: outstanding tests end as not run (cancelled), never errored, and the experiment can run its baseline again', async () => {
    const r = await receiver({ respond: () => ({ status: 202 }) });
    const { experiment, runId } = await startBaseline(30, { concurrency: 2, traceTimeoutSeconds: 600 });
    for (let i = 0; i < 50 && r.received.length < 4; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    const cancelled = await stack.experiments('POST', `/experiments/${experiment.id}/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(202);
    const run = await waitForRun(stack, experiment.id, runId);
    expect(run.status).toBe('cancelled');
    // Nothing came back from the application, so nothing ran to a result: no test is errored, failed or done.
    expect(run.counts).toMatchObject({ notRun: 30, errored: 0, failed: 0, passed: 0 });
    expect(run.progress.done).toBe(0);
    expect(r.received.length).toBeLessThan(30);
    const reasons = await sql<{ status: string; not_run_reason: string | null; n: number }>`
      select status, not_run_reason, count(*)::int as n from experiments.tests where run_id = ${runId} group by 1, 2`.execute(stack.host.db);
    expect(reasons.rows).toEqual([{ status: 'not_run', not_run_reason: 'cancelled', n: 30 }]);
    expect((await stack.experiments('GET', `/experiments/${experiment.id}`)).body.status).toBe('baseline_failed');
    const again = await stack.experiments('POST', `/experiments/${experiment.id}/runs/${runId}/cancel`);
    expect(again.status).toBe(409);
  });
});
