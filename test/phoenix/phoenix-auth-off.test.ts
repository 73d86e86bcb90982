import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { ensurePhoenixInstalled } from '../../dev/services/phoenix-install.js';
import { startPhoenixServer, type RunningPhoenix } from '../../dev/services/phoenix-server.js';
import { createDatasetExperiment, expectTracesInPhoenix, listRunTests } from '../helpers/phoenix-run-checks.js';
import { startPhoenixStack, waitForPhoenixRun, type PhoenixStack } from '../helpers/phoenix-stack.js';

// The shared Phoenix of the test run has authentication on; a team may run theirs with it off (Phoenix's default).
// This file starts such a Phoenix of its own: no API key anywhere, in the plugin, the shell or the Python app.
let phoenix: RunningPhoenix;
let workingDir: string;
let stack: PhoenixStack;

beforeAll(async () => {
  workingDir = mkdtempSync(path.join(os.tmpdir(), 'phoenix-auth-off-'));
  phoenix = await startPhoenixServer({
    venv: await ensurePhoenixInstalled({ dir: inject('phoenixVenv') }),
    workingDir,
    auth: false,
  });
  stack = await startPhoenixStack({ phoenix: { url: phoenix.url } });
});
afterAll(async () => {
  await stack?.close();
  await phoenix?.stop();
  if (workingDir) rmSync(workingDir, { recursive: true, force: true });
});

describe('a Phoenix with authentication off', () => {
  it('answers without a key: the stack really runs without one', async () => {
    expect(phoenix.apiKey).toBeUndefined();
    expect(stack.phoenixApiKey).toBe('');
    const anonymous = await fetch(`${phoenix.url}/v1/projects?limit=1`);
    expect(anonymous.status).toBe(200);
  });

  it('runs a baseline over all examples of the dataset with exact counts, each result linked to its trace in Phoenix', async () => {
    const { experimentId, baselineId, taskCount } = await createDatasetExperiment(stack, 'Auth off');
    expect(taskCount).toBe(demoTasks.length);
    const started = await stack.experiments('POST', `/experiments/${experimentId}/variants/${baselineId}/runs`, {
      concurrency: 8,
      traceTimeoutSeconds: 60,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const finished = await waitForPhoenixRun(stack, experimentId, started.body.runId);
    expect(finished.status).toBe('completed');
    expect(finished.counts.total).toBe(demoTasks.length);
    expect(finished.counts.passed + finished.counts.failed).toBe(demoTasks.length);
    expect(finished.counts.errored + finished.counts.timedOut).toBe(0);
    expect(finished.counts.passed).toBeGreaterThan(0);

    const rows = await listRunTests(stack, experimentId, started.body.runId);
    expect(rows).toHaveLength(demoTasks.length);
    expect(new Set(rows.map((row) => row.taskId)).size).toBe(demoTasks.length);
    expect(rows.filter((row) => row.status === 'passed')).toHaveLength(finished.counts.passed);
    for (const row of rows) expect(row.output).toBeTruthy();
    await expectTracesInPhoenix(stack, rows);
    const locked = await stack.experiments('GET', `/experiments/${experimentId}`);
    expect(locked.body.taskSource).toEqual({ sourceId: stack.datasetId, version: stack.datasetVersion });
  }, 180_000);
});
