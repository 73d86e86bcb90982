import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { startReceiver, type Receiver } from '../helpers/receivers.js';
import { parseCsv } from '../results/results-fixture.js';

// Issue 15 end to end: a variant that is plainly worse stops once decided, a run stops at its spend cap, and a
// worker stopped while the run decides loses nothing and sends no test after the decision.
let stack: RunStack;
let proxy: Receiver;
let experiment: { id: string; baselineVariantId: string };

beforeAll(async () => {
  stack = await startRunStack({ demo: { latencyMs: 30 } });
  // Every webhook on its way to the demo app is recorded, to check what was sent.
  proxy = await startReceiver({ forwardTo: stack.demo!.webhookUrl });
  await stack.api('PUT', '/api/webhook', { url: proxy.url });
  // The demo tasks three times over: 72 tasks, so a clear difference is decided well before the end.
  const tasks = [1, 2, 3].flatMap((copy) => demoTasks.map((task) => ({ ...task, title: `${task.title} (${copy})` })));
  const taskIds = await createTasks(stack, tasks as never);
  experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig as never);
  const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, { concurrency: 10 });
  expect((await waitForRun(stack, experiment.id, started.body.runId, 120_000)).status).toBe('completed');
}, 180_000);
afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

async function testsOf(runId: string) {
  const rows = await sql<{ test_id: string; task_id: string; status: string; not_run_reason: string | null; position: number }>`
    select test_id, task_id, status, not_run_reason, position from experiments.tests where run_id = ${runId} order by position`.execute(stack.host.db);
  return rows.rows;
}

async function variant(name: string, override: Record<string, unknown>) {
  const created = await stack.experiments('POST', `/experiments/${experiment.id}/variants`, { parentId: experiment.baselineVariantId, name, override });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

describe('stop when decided', () => {
  it('refuses it for the baseline and bad caps, changing nothing', async () => {
    const runsBefore = (await stack.experiments('GET', `/experiments/${experiment.id}/runs`)).body.runs.length;
    const baseline = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, { stopWhenDecided: true });
    expect(baseline.status).toBe(409);
    const id = await variant('Never run', { step: 'classifier', parameter: 'temperature', value: 0.5 });
    for (const body of [{ stopWhenDecided: 'yes' }, { maxCostUsd: 0 }, { maxCostUsd: -1 }, { maxTokens: 1.5 }, { maxTokens: 0 }]) {
      const refused = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${id}/runs`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    expect((await stack.experiments('GET', `/experiments/${experiment.id}/runs`)).body.runs.length).toBe(runsBefore);
  });

  it('stops a plainly worse variant once decided, in a seeded order, and sends no test after the decision though its worker stopped', async () => {
    // One token of answer: the responder's answers fail their evaluations.
    const id = await variant('One-token answers', { step: 'response_generator', parameter: 'max_tokens', value: 1 });
    const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${id}/runs`, { stopWhenDecided: true, concurrency: 2 });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.runId as string;
    expect(started.body.settings).toMatchObject({ stopWhenDecided: true, stopAlpha: 0.05 / 2 });
    expect(Number.isInteger(started.body.settings.orderSeed)).toBe(true);

    // The worker goes away while the run is deciding, and comes back.
    for (let i = 0; i < 100 && (await testsOf(runId)).filter((t) => ['passed', 'failed'].includes(t.status)).length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    await stack.stopWorker();
    await new Promise((r) => setTimeout(r, 1_000));
    await stack.startWorker();

    const run = await waitForRun(stack, experiment.id, runId, 120_000);
    expect(run.status).toBe('completed');
    expect(run.stopped).toMatchObject({ reason: 'stopped_early', status: 'decided', verdict: 'worse', totalTasks: 72 });
    expect(run.stopped.afterTasks).toBeLessThan(72);
    expect(run.stopped.summary).toMatch(new RegExp(`^decided worse after ${run.stopped.afterTasks} of 72 tasks; ${run.stopped.notSent} tests? not sent`));

    const tests = await testsOf(runId);
    const notRun = tests.filter((t) => t.status === 'not_run');
    // Exactly the tests pending at the decision are not run. Those claimed before it (in flight, or left claimed by
    // the stopped worker, which may have reached the application) were sent and count: none is lost, none is open.
    expect(notRun.length).toBe(run.stopped.notSent);
    expect(run.stopped.notSent).toBeGreaterThan(0);
    expect(run.stopped.inFlight).toBeGreaterThanOrEqual(0);
    expect(notRun.every((t) => t.not_run_reason === 'stopped_early')).toBe(true);
    expect(run.counts.notRun).toBe(notRun.length);
    expect(tests.filter((t) => ['passed', 'failed', 'errored', 'timed_out'].includes(t.status))).toHaveLength(72 - notRun.length);
    // Nothing pending at the decision reached the application, and every test with a result was sent.
    const sent = new Set(proxy.received.filter((r) => r.body.experiment.runId === runId).map((r) => r.body.testId));
    expect(notRun.filter((t) => sent.has(t.test_id))).toEqual([]);
    expect(sent.size).toBe(72 - run.stopped.notSent);
    // Decided in order: the tests not sent are the last in the run's order, after the deciding task and those in flight.
    expect(Math.min(...notRun.map((t) => t.position))).toBeGreaterThanOrEqual(run.stopped.afterTasks);
    // The order is the seeded shuffle, not the experiment's task order.
    const baselineOrder = (await testsOf((await stack.experiments('GET', `/experiments/${experiment.id}/runs`)).body.runs.at(-1).id)).map((t) => t.task_id);
    expect(tests.map((t) => t.task_id)).not.toEqual(baselineOrder);
    expect([...tests.map((t) => t.task_id)].sort()).toEqual([...baselineOrder].sort());

    // The exports say why the run stopped and what that spared, as the run's page does.
    const exported = async (format: 'csv' | 'md') =>
      (await fetch(`${stack.baseUrl}/plugins/experiments/api/experiments/${experiment.id}/results.${format}`, { headers: { 'x-api-key': stack.apiKey } })).text();
    const [header, ...rows] = parseCsv(await exported('csv'));
    const row = rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]!]))).find((r) => r.variant_id === id)!;
    expect(row).toMatchObject({ stop_reason: 'stopped_early', stop_summary: run.stopped.summary, stop_after_tasks: String(run.stopped.afterTasks), not_sent: String(run.stopped.notSent) });
    expect(Number(row.saved_cost)).toBeGreaterThan(0);
    expect(run.stopped.summary).toMatch(/\(about \$[\d.e-]+ saved\)$/);
    expect(row.sequential_test).toBe('discordant_mixture');
    const md = await exported('md');
    expect(md).toContain(`- **One-token answers**: ${run.stopped.summary}.`);
    expect(md).toContain('One-token answers ran with “stop when decided”');

    // Its verdict is the anytime-valid test's: the evidence that decided it is kept, whatever came after.
    const results = await stack.experiments('GET', `/experiments/${experiment.id}/results`);
    const judged = results.body.variants.find((v: { variantId: string }) => v.variantId === id);
    expect(judged.vsBaseline).toMatchObject({ sequential: 'discordant_mixture', verdict: 'worse' });
    expect(judged.vsBaseline.pValue).toBeLessThanOrEqual(run.stopped.pValue);
    expect(judged.vsBaseline.pValue).toBeLessThanOrEqual(0.05 / 2);
    expect(judged.stopped.summary).toBe(run.stopped.summary);
  }, 180_000);
});

describe('a spend cap', () => {
  it('stops sending once the traces have cost the cap, and says so', async () => {
    const id = await variant('Capped', { step: 'classifier', parameter: 'temperature', value: 0.1 });
    // A demo test costs about $0.00005 at gpt-4o-mini's prices: a cap of $0.0002 is reached after a few tests.
    const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${id}/runs`, { maxCostUsd: 0.0002, concurrency: 1 });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = await waitForRun(stack, experiment.id, started.body.runId, 120_000);
    expect(run.status).toBe('completed');
    expect(run.stopped).toMatchObject({ reason: 'budget_reached', limit: { maxCost: 0.0002, maxTokens: null } });
    expect(run.stopped.spent.cost).toBeGreaterThanOrEqual(0.0002);
    expect(run.stopped.summary).toMatch(/^budget reached \(spent \$.+ of \$0\.00020\); \d+ tests? not sent/);
    const tests = await testsOf(started.body.runId);
    const notRun = tests.filter((t) => t.status === 'not_run');
    expect(notRun.length).toBe(run.stopped.notSent);
    expect(notRun.length).toBeGreaterThan(0);
    // A lane looks before each claim: once the finished tests' cost reached the cap, at most the test in flight, the
    // one claimed ahead and one claimed on a look begun just before went out (one lane). Spend is known only as traces
    // are evaluated, so tests sent before that moment may still overshoot the cap; those count.
    const finished = await sql<{ finished_at: Date; cost: number | null; dispatched_at: Date | null }>`
      select finished_at, cost, dispatched_at from experiments.tests where run_id = ${started.body.runId} and status <> 'not_run' order by finished_at`.execute(stack.host.db);
    let total = 0;
    const reached = finished.rows.find((row) => (total += Number(row.cost ?? 0)) >= 0.0002)!.finished_at;
    expect(finished.rows.filter((row) => row.dispatched_at !== null && row.dispatched_at > reached).length).toBeLessThanOrEqual(3);
    expect(notRun.every((t) => t.not_run_reason === 'budget_reached')).toBe(true);
  }, 120_000);
});
