import { readFileSync } from 'node:fs';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { createReadyExperiment, createTasks, startRunStack, waitForRun } from '../helpers/run-stack.js';
import { kill, startWorkerProcess } from '../helpers/worker-process.js';
import type { BenchServices } from './bench-services.js';

export interface ScaleFigures {
  tests: number;
  status: string;
  wallSeconds: number;
  workerPeakRssMb: number;
  executions: number;
  largestHistoryEvents: number;
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** (b) Scale: a 10,000-test run through the demo app; the worker's peak RSS; the largest history of any execution. */
export async function measureScale(services: BenchServices, options: { tests: number; concurrency: number }): Promise<ScaleFigures> {
  const databaseUrl = await services.newDatabase('bench_scale');
  const stack = await startRunStack({
    services: { databaseUrl, temporalAddress: services.temporalAddress },
    demo: { latencyMs: 5 },
    plugin: { maxConcurrency: 200 },
    startWorker: false,
  });
  const worker = await startWorkerProcess(stack, { EXPERIMENTS_MAX_CONCURRENCY: '200' });
  try {
    const repeats = 20;
    const tasks = Array.from({ length: Math.ceil(options.tests / repeats) }, (_, i) => ({ ...demoTasks[i % demoTasks.length]!, title: `Scale task ${i}` }));
    const experiment = await createReadyExperiment(stack, await createTasks(stack, tasks as never), demoBaselineConfig as never);
    const started = Date.now();
    const response = await stack.experiments('POST', `/experiments/${experiment.id}/variants/${experiment.baselineVariantId}/runs`, {
      concurrency: options.concurrency,
      repeats,
    });
    if (response.status !== 202) throw new Error(`run not started: ${JSON.stringify(response.body)}`);
    const run = await waitForRun(stack, experiment.id, response.body.runId, 60 * 60_000);
    const wallSeconds = (Date.now() - started) / 1000;
    const rss = peakRssMb(worker.pid!);

    const client = await stack.plugin.temporalClient();
    let executions = 0;
    let largest = 0;
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${run.workflowId}'` })) {
      const history = await client.workflow.getHandle(run.workflowId, execution.runId).fetchHistory();
      executions += 1;
      largest = Math.max(largest, history.events?.length ?? 0);
    }
    return { tests: run.counts.total, status: run.status, wallSeconds: Math.round(wallSeconds * 10) / 10, workerPeakRssMb: rss, executions, largestHistoryEvents: largest };
  } finally {
    await kill(worker, 'SIGTERM');
    await stack.close();
  }
}
