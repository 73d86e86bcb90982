import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { ensurePhoenixInstalled, type PhoenixVenv } from '../../dev/services/phoenix-install.js';
import { startPhoenixServer, type RunningPhoenix } from '../../dev/services/phoenix-server.js';
import { createDatasetExperiment, expectTracesInPhoenix, listRunTests } from '../helpers/phoenix-run-checks.js';
import { startPhoenixStack, waitForPhoenixRun, type PhoenixStack } from '../helpers/phoenix-stack.js';

// The Phoenix server process itself is stopped during an open run and started again on the same port and working
// directory (its SQLite, its auth secrets and system API key), as an operator restarting Phoenix would. Both the
// plugin and the Python app lose it: the plugin's span and trace reads fail, and the app's exporter keeps the
// batches it could not send and tries them again (app.py's PatientExporter: up to 2 minutes; the stock exporter
// alone gives up after about 30 s, less than Phoenix takes to start on a busy machine). The run waits, resumes from
// the stored cursor, and counts each test once.
let venv: PhoenixVenv;
let phoenix: RunningPhoenix;
let workingDir: string;
let stack: PhoenixStack;

beforeAll(async () => {
  venv = await ensurePhoenixInstalled({ dir: inject('phoenixVenv') });
  workingDir = mkdtempSync(path.join(os.tmpdir(), 'phoenix-restart-'));
  phoenix = await startPhoenixServer({ venv, workingDir, auth: true });
  stack = await startPhoenixStack({ phoenix: { url: phoenix.url, apiKey: phoenix.apiKey }, modelLatencyMs: 3_000 });
});
afterAll(async () => {
  await stack?.close();
  await phoenix?.stop();
  if (workingDir) rmSync(workingDir, { recursive: true, force: true });
});

describe('the Phoenix server stopped and started again during a run', () => {
  it('loses nothing and counts nothing twice: the run waits while Phoenix is gone and finds every trace after', async () => {
    const { experimentId, baselineId, taskCount } = await createDatasetExperiment(stack, 'Phoenix restart', ['even']);
    const total = Math.ceil(demoTasks.length / 2);
    expect(taskCount).toBe(total);
    const started = await stack.experiments('POST', `/experiments/${experimentId}/variants/${baselineId}/runs`, {
      concurrency: 4,
      traceTimeoutSeconds: 180,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.runId as string;
    const progress = async () => (await stack.experiments('GET', `/experiments/${experimentId}/runs/${runId}`)).body;

    // A test's two model calls take 3 s each, so Phoenix stops while the run is open and before any trace exists
    // (stopping after some tests were final raced with the app finishing the tests it had together). The first tests
    // are sent at once and the app exports their traces into the outage. Phoenix keeps the run's span cursor, the
    // dataset and the project.
    const { port } = phoenix;
    await phoenix.stop();
    expect(await fetch(`${stack.phoenixUrl}/healthz`).then(() => 'up', () => 'down')).toBe('down');
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const whileDown = await progress();
    expect(whileDown.status).toBe('running');
    expect(whileDown.progress.done).toBe(0);

    const downFor = Date.now();
    // The same HTTP port (the app and the plugin know Phoenix by its URL); OTLP/gRPC, which nobody here uses, on a
    // fresh port: one restart here found its old gRPC port taken ("Address already in use") and exited.
    phoenix = await startPhoenixServer({ venv, workingDir, auth: true, port });
    console.log(`[phoenix restart] Phoenix answered again ${((Date.now() - downFor) / 1000 + 8).toFixed(1)} s after it stopped`);
    expect(phoenix.url).toBe(stack.phoenixUrl);
    // Same secrets and database: the system API key the plugin and the app hold is still valid.
    expect(phoenix.apiKey).toBe(stack.phoenixApiKey);

    const finished = await waitForPhoenixRun(stack, experimentId, runId, 240_000);
    expect(finished.status).toBe('completed');
    expect(finished.counts.total).toBe(total);
    expect(finished.counts.passed + finished.counts.failed).toBe(total);
    expect(finished.counts.timedOut + finished.counts.errored).toBe(0);

    const rows = await listRunTests(stack, experimentId, runId);
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((row) => row.taskId)).size).toBe(total);
    expect(new Set(rows.map((row) => row.testId)).size).toBe(total);
    expect(rows.filter((row) => row.status === 'passed')).toHaveLength(finished.counts.passed);
    // One link per test: no trace linked twice or to the wrong test, before or after the restart.
    const links = await stack.shell.sql<Array<{ kind: string; n: number }>>`
      select kind, count(*)::int as n from experiments.trace_links where project_id = ${stack.projectId} group by kind`;
    expect([...links]).toEqual([{ kind: 'linked', n: total }]);
    // Traces stored before the stop and after the start are all in the restarted Phoenix, and every link opens.
    await expectTracesInPhoenix(stack, rows);
  }, 420_000);
});
