import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';
import { startJudgeServer, type JudgeServer } from '../helpers/judge-server.js';
import { reevaluateWorkflowId } from '../../workflows/shared.js';

let stack: RunStack;
let judge: JudgeServer;
let taskIds: string[];

beforeAll(async () => {
  judge = await startJudgeServer('refund');
  stack = await startRunStack({
    plugin: { judgeBaseUrl: judge.baseUrl, judgeTimeoutMs: 300 },
    // The application ignores one override, so the override check has something to find.
    demo: { ignoreOverrides: ['response_generator.temperature'] },
  });
  taskIds = await createTasks(stack, demoTasks.filter((task) => task.metadata.category === 'refund').concat(demoTasks[4]!) as never);
});
afterAll(async () => {
  await stack?.close();
  await judge?.close();
});

async function results(runId: string) {
  const rows = await sql<{ test_id: string; status: string; error: string | null; evaluator: string; outcome: string; score: number | null; reason: string; round: number; source: string; override_mismatches: unknown }>`
    select t.test_id, t.status, t.error, t.override_mismatches, e.evaluator, e.outcome, e.score, e.reason, e.round, e.source
    from experiments.tests t join experiments.evaluation_results e on e.test_row_id = t.id
    where t.run_id = ${runId} order by t.position, e.round, e.position`.execute(stack.host.db);
  return rows.rows;
}

// The responder runs cooler than the demo app's own default (0.7), so an ignored override shows in the trace.
const baseline = { ...demoBaselineConfig, response_generator: { ...demoBaselineConfig.response_generator, temperature: 0.3 } };

async function runWithJudge(criterion: string) {
  const experiment = await createReadyExperiment(stack, taskIds, baseline as never);
  const set = await stack.experiments('PUT', `/experiments/${experiment.id}/evaluations`, { evaluations: [{ type: 'llm_judge', criterion, threshold: 0.5 }] });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {});
  const run = await waitForRun(stack, experiment.id, started.body.runId, 90_000);
  return { experiment, run, rows: await results(run.runId) };
}

describe('evaluations from the task and the experiment, judged by an OpenAI-compatible model', () => {
  it('stores every evaluator result with a score and reason, and passes only when all pass', async () => {
    const { run, rows } = await runWithJudge('The answer tells the customer about their refund.');
    expect(run.status).toBe('completed');
    const byTest = new Map<string, typeof rows>();
    for (const row of rows) byTest.set(row.test_id, [...(byTest.get(row.test_id) ?? []), row]);
    expect(byTest.size).toBe(5);
    for (const testRows of byTest.values()) {
      const judged = testRows.find((r) => r.evaluator === 'llm_judge')!;
      expect(judged.source).toBe('experiment');
      expect([0.1, 0.9]).toContain(judged.score);
      expect(judged.reason).toMatch(/mentions refund/);
      expect(testRows.filter((r) => r.source === 'task').length).toBeGreaterThan(0);
      const allPassed = testRows.every((r) => r.outcome === 'passed');
      expect(testRows[0]!.status).toBe(allPassed ? 'passed' : 'failed');
    }
    // The shipping task's answer never mentions a refund: the judge fails it.
    expect(rows.some((r) => r.evaluator === 'llm_judge' && r.outcome === 'failed')).toBe(true);
  });

  it('never passes a test on a garbage judge reply, nor on a judge that does not answer', async () => {
    for (const criterion of ['garbage please', 'slow please']) {
      const { run, rows } = await runWithJudge(criterion);
      const judged = rows.filter((r) => r.evaluator === 'llm_judge');
      expect(judged).toHaveLength(5);
      for (const row of judged) {
        expect(row.outcome).toBe('errored');
        expect(row.reason).toMatch(/judge failed 3 times/);
        expect(row.status).toBe('errored');
      }
      expect(run.counts.passed).toBe(0);
    }
  });

  it('flags tests whose trace shows an override was not applied', async () => {
    const { rows } = await runWithJudge('The answer tells the customer about their refund.');
    const mismatches = rows.filter((r) => r.evaluator === 'llm_judge').map((r) => r.override_mismatches as Array<{ step: string; parameter: string; sent: unknown; recorded: unknown }>);
    for (const list of mismatches) {
      expect(list).toEqual([{ step: 'response_generator', parameter: 'temperature', sent: 0.3, recorded: 0.7 }]);
    }
  });

  it('re-evaluates a finished run from its stored traces in a new round, keeping the first', async () => {
    const { experiment, run } = await runWithJudge('The answer tells the customer about their refund.');
    const webhooksBefore = (await sql<{ n: number }>`select count(*)::int as n from experiments.trace_links`.execute(stack.host.db)).rows[0]!.n;
    const set = await stack.experiments('PUT', `/experiments/${experiment.id}/evaluations`, { evaluations: [{ type: 'contains', value: 'zzz-never' }] });
    expect(set.status).toBe(200);
    const again = await stack.experiments('POST', `/experiments/${experiment.id}/runs/${run.runId}/reevaluate`);
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect(again.body.round).toBe(2);
    const client = await stack.plugin.temporalClient();
    expect(await client.workflow.getHandle(reevaluateWorkflowId(run.runId)).result()).toEqual({ round: 2, evaluated: 5 });
    const rows = await results(run.runId);
    expect(rows.filter((r) => r.round === 1 && r.evaluator === 'llm_judge')).toHaveLength(5);
    const second = rows.filter((r) => r.round === 2);
    expect(second.filter((r) => r.evaluator === 'contains' && r.source === 'experiment')).toHaveLength(5);
    const finished = await stack.experiments('GET', `/experiments/${experiment.id}/runs/${run.runId}`);
    expect(finished.body.counts.passed).toBe(0);
    expect(finished.body.counts.failed).toBe(5);
    const webhooksAfter = (await sql<{ n: number }>`select count(*)::int as n from experiments.trace_links`.execute(stack.host.db)).rows[0]!.n;
    expect(webhooksAfter).toBe(webhooksBefore);
  });

  it('refuses malformed experiment evaluations with a 422 naming the entry', async () => {
    const experiment = await createReadyExperiment(stack, taskIds, demoBaselineConfig as never);
    const bad = await stack.experiments('PUT', `/experiments/${experiment.id}/evaluations`, { evaluations: [{ type: 'contains', value: 'x' }, { type: 'regex', pattern: '(' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/evaluations\[1\]/);
    const unchanged = await stack.experiments('GET', `/experiments/${experiment.id}/evaluations`);
    expect(unchanged.body.evaluations).toEqual([]);
  });
});
