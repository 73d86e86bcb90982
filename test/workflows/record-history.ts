// Records workflow histories for the replay test: `npx tsx test/workflows/record-history.ts <name>` runs a small
// baseline (3 tasks × 2 repeats) on the current code against embedded services and writes
// test/workflows/histories/<name>.json; `… <name> --queue` then queues two draft variants and writes the run queue
// workflow's history instead. Record one before changing a workflow's code, so the replay test shows that executions
// started on the old code still replay (or that the change needs a `patched()` guard).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { requireTemporalCommand } from '../../dev/services/temporal-dev-server.js';
import { runQueueWorkflowId } from '../../workflows/shared.js';
import { startBenchServices } from '../bench/bench-services.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun, type RunStack } from '../helpers/run-stack.js';

const name = process.argv[2];
const queue = process.argv.includes('--queue');
if (!name || !/^[a-z0-9-]+$/.test(name)) throw new Error('usage: record-history.ts <name> [--queue] (lower-case letters, digits, dashes)');

/** Waits until the experiment's queue is empty and none of its runs is open. */
async function queueDrained(stack: RunStack, experimentId: string) {
  for (let i = 0; i < 1_200; i++) {
    const waiting = await stack.experiments('GET', `/experiments/${experimentId}/queue`);
    const listed = await stack.experiments('GET', `/experiments/${experimentId}/runs`);
    const open = listed.body.runs.some((run: { status: string }) => run.status === 'pending' || run.status === 'running');
    if (!open && waiting.body.queue.length === 0) return listed.body.runs.length as number;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the queue did not drain in two minutes');
}

const services = await startBenchServices();
const stack = await startRunStack({ services: { databaseUrl: await services.newDatabase('record_history'), temporalAddress: services.temporalAddress }, demo: { latencyMs: 5 } });
try {
  const experiment = await createReadyExperiment(stack, await createTasks(stack, demoTasks.slice(0, 3) as never), demoBaselineConfig as never);
  const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, { concurrency: 2, repeats: 2 });
  if (started.status !== 202) throw new Error(`run not started: ${JSON.stringify(started.body)}`);
  const run = await waitForRun(stack, experiment.id, started.body.runId);
  let workflowId: string;
  if (queue) {
    for (const [index, variant] of ['Cooler', 'Colder'].entries()) {
      const created = await stack.experiments('POST', `/experiments/${experiment.id}/variants`, {
        parentId: experiment.baselineVariantId,
        name: variant,
        override: { step: 'classifier', parameter: 'max_tokens', value: 100 + index },
      });
      if (created.status !== 201) throw new Error(`draft not created: ${JSON.stringify(created.body)}`);
    }
    const queued = await stack.experiments('POST', `/experiments/${experiment.id}/queue`, { settings: { concurrency: 2 } });
    if (queued.status !== 202) throw new Error(`drafts not queued: ${JSON.stringify(queued.body)}`);
    console.log(`${await queueDrained(stack, experiment.id)} runs after the queue drained`);
    workflowId = runQueueWorkflowId(experiment.id);
  } else {
    console.log(`run ${run.status} (${JSON.stringify(run.counts)})`);
    workflowId = (await sql<{ workflow_id: string }>`select workflow_id from experiments.runs where id = ${run.runId}`.execute(stack.host.db)).rows[0]!.workflow_id;
  }
  // The CLI writes the JSON form Temporal's tools and `Worker.runReplayHistory` read.
  const json = execFileSync(requireTemporalCommand(), ['workflow', 'show', '--workflow-id', workflowId, '--address', services.temporalAddress, '--output', 'json'], { encoding: 'utf8' });
  const file = path.resolve(import.meta.dirname, 'histories', `${name}.json`);
  writeFileSync(file, json);
  console.log(`${JSON.parse(json).events.length} events of ${workflowId} written to ${path.relative(process.cwd(), file)}`);
} finally {
  await stack.close();
  await services.stop();
}
process.exit(0);
