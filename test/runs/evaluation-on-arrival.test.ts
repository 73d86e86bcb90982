import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { until } from '../helpers/until.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { startReceiver, type Receiver } from '../helpers/receivers.js';
import { startJudgeServer, type JudgeServer } from '../helpers/judge-server.js';
import { storeSpans } from '../../dev/host/span-repository.js';

// The plugin evaluates a trace where it is ingested; only tests that need an LLM judge wait for the run's
// workflow. These tests take the worker away once the webhooks are out, so whatever gets a result while it
// is gone was evaluated on arrival.

let stack: RunStack;
let receiver: Receiver;
let judge: JudgeServer;
const config = { response_generator: { temperature: 0.3 } };

beforeAll(async () => {
  judge = await startJudgeServer('ok');
  stack = await startRunStack({ demo: false, plugin: { judgeBaseUrl: judge.baseUrl } });
  await stack.api('POST', '/api/inference-steps', { externalId: 'response_generator', title: 'Responder', type: 'llm' });
  // The application accepts every webhook and sends its traces only when the test says so.
  receiver = await startReceiver({ respond: () => ({ status: 202 }) });
  await stack.api('PUT', '/api/webhook', { url: receiver.url });
});
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
  await judge?.close();
});

const sendTrace = (testId: string, output: string) => stack.api('POST', '/api/traces', { testId, name: 'pipeline', output });

async function testRows(runId: string) {
  const rows = await sql<{ test_id: string; status: string; results: number }>`
    select t.test_id, t.status, (select count(*) from experiments.evaluation_results e where e.test_row_id = t.id)::int as results
    from experiments.tests t where t.run_id = ${runId} order by t.position`.execute(stack.host.db);
  return rows.rows;
}


/** Starts a baseline run of `n` tasks and returns once every webhook is accepted; the worker is then stopped. */
async function runAwaitingTraces(n: number, evaluations?: unknown[]) {
  const tasks = Array.from({ length: n }, (_, i) => ({ title: `Arrival ${i}`, prompt: `Say ok ${i}`, evaluations: [{ type: 'contains', value: 'ok' }] }));
  const experiment = await createReadyExperiment(stack, await createTasks(stack, tasks), config);
  if (evaluations) expect((await stack.experiments('PUT', `/experiments/${experiment.id}/evaluations`, { evaluations })).status).toBe(200);
  await stack.startWorker();
  const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {});
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const runId = started.body.runId as string;
  const waiting = await until(() => testRows(runId), (rows) => rows.length === n && rows.every((r) => r.status === 'awaiting_trace'), 20_000);
  expect(waiting.map((r) => r.status)).toEqual(Array(n).fill('awaiting_trace'));
  await stack.stopWorker();
  return { experiment, runId, testIds: waiting.map((r) => r.test_id) };
}

describe('evaluation where the trace arrives', () => {
  it('writes each result on ingestion, with no worker running, and the run then finishes', async () => {
    const { experiment, runId, testIds } = await runAwaitingTraces(4);
    for (const [i, testId] of testIds.entries()) expect((await sendTrace(testId, i % 2 === 0 ? 'ok, done' : 'no')).status).toBe(201);

    const rows = await until(() => testRows(runId), (rs) => rs.every((r) => r.status === 'passed' || r.status === 'failed'), 5_000);
    expect(rows.map((r) => r.status)).toEqual(['passed', 'failed', 'passed', 'failed']);
    expect(rows.every((r) => r.results === 1)).toBe(true);

    await stack.startWorker();
    const run = await waitForRun(stack, experiment.id, runId);
    expect(run.status).toBe('completed');
    expect(run.counts).toMatchObject({ passed: 2, failed: 2 });
    // Written once: the workflow's sweep found nothing left to evaluate.
    expect((await testRows(runId)).every((r) => r.results === 1)).toBe(true);
  });

  it("leaves a test that needs an LLM judge to the run's workflow", async () => {
    const { experiment, runId, testIds } = await runAwaitingTraces(2, [{ type: 'llm_judge', criterion: 'Says ok.', threshold: 0.5 }]);
    for (const testId of testIds) expect((await sendTrace(testId, 'ok, done')).status).toBe(201);

    // Linked, but not judged while no worker runs.
    const linked = await until(() => testRows(runId), (rs) => rs.every((r) => r.status === 'evaluating'), 5_000);
    expect(linked.map((r) => r.status)).toEqual(['evaluating', 'evaluating']);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await testRows(runId)).map((r) => r.results)).toEqual([0, 0]);

    await stack.startWorker();
    const run = await waitForRun(stack, experiment.id, runId);
    expect(run.status).toBe('completed');
    const judged = await sql<{ evaluator: string; outcome: string }>`
      select e.evaluator, e.outcome from experiments.evaluation_results e join experiments.tests t on t.id = e.test_row_id
      where t.run_id = ${runId} order by t.position, e.position`.execute(stack.host.db);
    expect(judged.rows.filter((r) => r.evaluator === 'llm_judge')).toHaveLength(2);
    expect(run.counts.passed).toBe(2);
  });

  it('links a trace again in the background when linking failed at ingestion, and evaluates it', async () => {
    const { experiment, runId, testIds } = await runAwaitingTraces(1);
    // The plugin's tables refuse new links for a moment (as during a database restart); the host's do not.
    await sql`create function experiments.refuse_links() returns trigger language plpgsql as $$
      begin raise exception 'trace links are unavailable for a moment'; end $$`.execute(stack.host.db);
    await sql`create trigger refuse_links before insert on experiments.trace_links for each row execute function experiments.refuse_links()`.execute(stack.host.db);
    try {
      expect((await sendTrace(testIds[0]!, 'ok, done')).status).toBe(201);
      expect((await testRows(runId))[0]!.status).toBe('awaiting_trace');
    } finally {
      await sql`drop trigger refuse_links on experiments.trace_links`.execute(stack.host.db);
      await sql`drop function experiments.refuse_links()`.execute(stack.host.db);
    }
    // No worker runs, and the run's sweep could not find this trace anyway: only the plugin's retry links it.
    const rows = await until(() => testRows(runId), (rs) => rs[0]!.status === 'passed', 10_000);
    expect(rows[0]).toMatchObject({ status: 'passed', results: 1 });
    await stack.startWorker();
    expect((await waitForRun(stack, experiment.id, runId)).counts.passed).toBe(1);
  });

  describe('a root span that comes in a later batch than the span with the test id', () => {
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    // OTLP/HTTP JSON spans: the test id on a child span (as an instrumented step might carry it), and the root.
    const spansOf = (testId: string) => {
      const traceId = hex(32);
      const rootId = hex(16);
      const at = BigInt(Date.now()) * 1_000_000n;
      const span = (spanId: string, parent: string | null, attributes: Array<{ key: string; value: { stringValue: string } }>) => ({
        traceId, spanId, ...(parent ? { parentSpanId: parent } : {}), name: parent ? 'step' : 'pipeline', kind: 1,
        startTimeUnixNano: String(at), endTimeUnixNano: String(at + 1_000_000n), attributes,
      });
      return {
        traceId,
        child: span(hex(16), rootId, [{ key: 'experiment.test_id', value: { stringValue: testId } }]),
        root: span(rootId, null, [{ key: 'output.value', value: { stringValue: 'ok, done' } }]),
      };
    };
    const postOtlp = (spans: unknown[]) => stack.api('POST', '/v1/traces', { resourceSpans: [{ scopeSpans: [{ spans }] }] });

    it('is attached when the host ingests it, and the test evaluated', async () => {
      const { experiment, runId, testIds } = await runAwaitingTraces(1);
      const { child, root } = spansOf(testIds[0]!);
      expect((await postOtlp([child])).status).toBe(200);
      // The child alone is linked, but the test waits for its root.
      expect((await testRows(runId))[0]!.status).toBe('awaiting_trace');
      expect((await postOtlp([root])).status).toBe(200);
      const rows = await until(() => testRows(runId), (rs) => rs[0]!.status === 'passed', 5_000);
      expect(rows[0]).toMatchObject({ status: 'passed', results: 1 });
      await stack.startWorker();
      expect((await waitForRun(stack, experiment.id, runId)).status).toBe('completed');
    });

    it('links a batch of traces as if one after another: the first trace with its root attaches, a second is a duplicate', async () => {
      const { runId, testIds } = await runAwaitingTraces(3);
      const [first, second] = [spansOf(testIds[0]!), spansOf(testIds[0]!)];
      const childOnly = spansOf(testIds[1]!);
      const whole = spansOf(testIds[2]!);
      // One request: the host hands the plugin all these spans at once.
      const spans = [first.child, first.root, second.child, second.root, childOnly.child, whole.root, whole.child];
      expect((await postOtlp(spans)).status).toBe(200);
      const rows = await until(() => testRows(runId), (rs) => rs[0]!.status === 'passed' && rs[2]!.status === 'passed', 5_000);
      expect(rows.map((r) => [r.status, r.results])).toEqual([['passed', 1], ['awaiting_trace', 0], ['passed', 1]]);
      const links = await sql<{ trace_id: string; kind: string; root: boolean }>`
        select trace_id, kind, root_span_at is not null as root from experiments.trace_links where test_id in (${sql.join(testIds)})`.execute(stack.host.db);
      const kindOf = (traceId: string) => links.rows.filter((l) => l.trace_id === traceId).map((l) => [l.kind, l.root]);
      expect(kindOf(first.traceId)).toEqual([['linked', true]]);
      expect(kindOf(second.traceId)).toEqual([['duplicate', true]]);
      expect(kindOf(childOnly.traceId)).toEqual([['linked', false]]);
      expect(kindOf(whole.traceId)).toEqual([['linked', true]]);
      const attached = await sql<{ test_id: string; trace_id: string | null }>`
        select test_id, trace_id from experiments.tests where run_id = ${runId} order by position`.execute(stack.host.db);
      expect(attached.rows.map((r) => r.trace_id)).toEqual([first.traceId, null, whole.traceId]);
    });

    it("is attached by the run's sweep when the ingestion-time lookup never ran", async () => {
      const { experiment, runId, testIds } = await runAwaitingTraces(1);
      const { child, root } = spansOf(testIds[0]!);
      expect((await postOtlp([child])).status).toBe(200);
      // The root is stored by the host without the plugin hearing of it, as when the process died first.
      await storeSpans(stack.host.db, stack.projectId, [{
        traceId: root.traceId, spanId: root.spanId, parentSpanId: null, name: 'pipeline', kind: 'internal',
        startTime: new Date().toISOString(), endTime: new Date().toISOString(), attributes: { 'output.value': 'ok, done' },
        resource: {}, status: 'unset', statusMessage: null,
      }]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await testRows(runId))[0]!.status).toBe('awaiting_trace');
      await stack.startWorker();
      const run = await waitForRun(stack, experiment.id, runId, 30_000);
      expect(run.status).toBe('completed');
      expect(run.counts.passed).toBe(1);
    });
  });
});
