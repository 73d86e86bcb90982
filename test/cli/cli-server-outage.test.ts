import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../dev/services/free-port.js';
import { runCli, startCli } from '../helpers/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTsxProcess } from '../helpers/tsx-process.js';
import { kill } from '../helpers/worker-process.js';
import { demoBaseline, scratchFolder } from './cli-fixture.js';

// The whole stack as `npm start` runs it (dev/start.ts: reference host, plugin, Temporal worker and demo app in one
// process, on this run's Postgres database and Temporal dev server) is killed with SIGKILL while the CLI waits on a
// run. Brought back, the run resumes and the CLI reports it; left down, the CLI gives up after --server-timeout
// with exit code 2 and says why.

const scratch = scratchFolder();
const dataDir = mkdtempSync(path.join(tmpdir(), 'experiments-stack-'));
let database: TestDatabase;
let stackEnv: Record<string, string | undefined>;
let stack: ChildProcess | null = null;
let baseUrl: string;
let env: Record<string, string>;
const apiKey = `demo_${randomBytes(16).toString('hex')}`;

async function startStack() {
  const { child } = await startTsxProcess('dev/start.ts', { env: stackEnv, ready: /Experiments is running/ });
  stack = child;
}

async function crashStack() {
  if (stack) await kill(stack, 'SIGKILL');
  stack = null;
}

async function hostApi(route: string) {
  const response = await fetch(`${baseUrl}${route}`, { headers: { 'x-api-key': apiKey } });
  return response.json() as Promise<any>;
}

/** Waits until the named experiment's first run has finished at least `done` tests, as the server counts them. */
async function waitForTestsDone(name: string, done: number) {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const experiments = (await hostApi('/plugins/experiments/api/experiments')).experiments as Array<{ id: string; name: string }>;
    const experiment = experiments.find((candidate) => candidate.name === name);
    const runs = experiment
      ? ((await hostApi(`/plugins/experiments/api/experiments/${experiment.id}/runs`)).runs as Array<{ id: string }>)
      : [];
    const run = runs.at(-1) ? await hostApi(`/plugins/experiments/api/experiments/${experiment!.id}/runs/${runs.at(-1)!.id}`) : null;
    if (run && run.progress.done >= done) {
      expect(run.status).toBe('running');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name}: fewer than ${done} tests done after a minute`);
}

beforeAll(async () => {
  database = await createTestDatabase('cli');
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  stackEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    EXPERIMENTS_TASK_QUEUE: `experiments-cli-${randomBytes(4).toString('hex')}`,
    PORT: String(port),
    DEMO_APP_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    DEMO_API_KEY: apiKey,
    DEMO_LATENCY_MS: '40',
  };
  await startStack();
  env = { EXPERIMENTS_URL: `${baseUrl}/plugins/experiments`, EXPERIMENTS_API_KEY: apiKey };
}, 180_000);

afterAll(async () => {
  await crashStack();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  scratch.remove();
});

const definition = async (name: string) => ({
  name,
  steps: ['classifier', 'response_generator'],
  tasks: ((await hostApi('/api/tasks?limit=100')).items as Array<{ id: string }>).map((task) => task.id),
  baseline: demoBaseline,
  variants: [{ name: 'bigger classifier', change: { classifier: { model: 'gpt-4o' } } }],
  // Traces the crash lost are counted as timed out after 15 s, so the run can end.
  run: { concurrency: 1, repeats: 3, traceTimeoutSeconds: 15 },
  gates: [{ variant: 'bigger classifier', fail_if: 'worse' }],
});

describe('the stack crashes while experiments run waits', () => {
  it('waits for it to come back, then finishes and reports', async () => {
    const file = scratch.write('outage.yaml', await definition('Outage'));
    const cli = startCli(['run', file, '--json', scratch.file('outage.json'), '--poll-interval', '0.2', '--server-timeout', '240'], env);
    await waitForTestsDone('Outage', 10);
    await crashStack();
    await cli.waitForStderr(
      /No answer from http:\/\/localhost:\d+\/plugins\/experiments \([A-Z_]+\); trying again for up to 240 s\./,
      60_000,
    );
    await startStack();

    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/The server answers again after \d+ s\./);
    expect(result.stdout).toMatch(/baseline: run #1 started now \(completed\)/);
    expect(result.stdout).toMatch(/bigger classifier: run #1 started now \(completed\)/);
    expect(result.stdout).toMatch(/All gates passed \(1 gate: 1 passed\)/);

    const report = JSON.parse(scratch.read('outage.json'));
    const id = report.experiment.id as string;
    const runs = (await hostApi(`/plugins/experiments/api/experiments/${id}/runs`)).runs as Array<{ id: string; status: string }>;
    expect(runs.map((run) => run.status)).toEqual(['completed', 'completed']);
    const baselineRun = await hostApi(`/plugins/experiments/api/experiments/${id}/runs/${runs[1]!.id}`);
    expect(baselineRun.counts.total).toBe(72);
    expect(baselineRun.counts.passed + baselineRun.counts.failed + baselineRun.counts.timedOut + baselineRun.counts.errored).toBe(72);
    expect(report.results).toEqual(await hostApi(`/plugins/experiments/api/experiments/${id}/results`));
  }, 420_000);

  it('gives up after --server-timeout with exit code 2 and a message saying so, when the stack stays down', async () => {
    const file = scratch.write('down.yaml', await definition('Down'));
    const cli = startCli(['run', file, '--junit', scratch.file('down.xml'), '--poll-interval', '0.2', '--server-timeout', '5'], env);
    await waitForTestsDone('Down', 10);
    await crashStack();
    const crashedAt = Date.now();
    const result = await cli.done;
    const waited = Date.now() - crashedAt;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Error: The server at http:\/\/localhost:\d+\/plugins\/experiments has not answered for [5-9] s \(last: ECONNREFUSED\); gave up after --server-timeout\. Runs already started go on on the server: run the same command again to pick them up/,
    );
    expect(waited).toBeGreaterThanOrEqual(5_000);
    expect(waited).toBeLessThan(60_000);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(
      scratch.read('down.xml'),
    );
    expect(junit.testsuites).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    const [gate] = junit.testsuites.testsuite.testcase;
    expect(gate.name).toBe('bigger classifier: not worse than the baseline');
    expect(gate.error.message).toMatch(
      /^not decided: The server at http:\/\/localhost:\d+\/plugins\/experiments has not answered for [5-9] s/,
    );

    // Back up, the run the CLI left is still there to cancel.
    await startStack();
    const cancel = await runCli(['cancel', 'Down'], env);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(/^Asked run #1 of baseline to stop/);
  }, 420_000);
});
