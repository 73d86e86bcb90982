// Records a run workflow's history for the replay test: `npx tsx test/workflows/record-history.ts <name>` runs a
// small baseline (3 tasks × 2 repeats) on the current code against embedded services and writes
// test/workflows/histories/<name>.json. Record one before changing the workflow's code, so the replay test shows
// that runs started on the old code still replay (or that the change needs a `patched()` guard).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { requireTemporalCommand } from '../../dev/services/temporal-dev-server.js';
import { startBenchServices } from '../bench/bench-services.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun } from '../helpers/run-stack.js';

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) throw new Error('usage: record-history.ts <name> (lower-case letters, digits, dashes)');

const services = await startBenchServices();
const stack = await startRunStack({ services: { databaseUrl: await services.newDatabase('record_history'), temporalAddress: services.temporalAddress }, demo: { latencyMs: 5 } });
try {
  const experiment = await createReadyExperiment(stack, await createTasks(stack, demoTasks.slice(0, 3) as never), demoBaselineConfig as never);
  const started = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, { concurrency: 2, repeats: 2 });
  if (started.status !== 202) throw new Error(`run not started: ${JSON.stringify(started.body)}`);
  const run = await waitForRun(stack, experiment.id, started.body.runId);
  const { workflow_id } = (await sql<{ workflow_id: string }>`select workflow_id from experiments.runs where id = ${run.runId}`.execute(stack.host.db)).rows[0]!;
  // The CLI writes the JSON form Temporal's tools and `Worker.runReplayHistory` read.
  const json = execFileSync(requireTemporalCommand(), ['workflow', 'show', '--workflow-id', workflow_id, '--address', services.temporalAddress, '--output', 'json'], { encoding: 'utf8' });
  const file = path.resolve(import.meta.dirname, 'histories', `${name}.json`);
  writeFileSync(file, json);
  console.log(`run ${run.status} (${JSON.stringify(run.counts)}); ${JSON.parse(json).events.length} events written to ${path.relative(process.cwd(), file)}`);
} finally {
  await stack.close();
  await services.stop();
}
process.exit(0);
