import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { freePort } from '../../dev/services/free-port.js';
import { isRunning, pidFrom } from '../../dev/services/leftover-process.js';
import { PostgresJsDialect } from '../../plugin/store/postgres-js-dialect.js';
import { expectExactAccounting, installTestAudit } from './run-accounting.js';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'experiments-npm-start-'));
const started: ChildProcess[] = [];
let db: Kysely<any> | undefined;

afterAll(async () => {
  await db?.destroy();
  for (const child of started) if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  rmSync(dataDir, { recursive: true, force: true });
});

const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
};
const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/** `npm start` as a person runs it (its own process group, like a terminal's), resolved once it says it runs. */
async function npmStart(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 180_000;
  while (!output.includes('Experiments is running.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up within 180 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { child, output: () => output };
}

describe('kill -9 of the whole npm start', () => {
  it('starts again on its leftovers, and the run it was doing completes with every result once; Ctrl-C then stops Temporal too', async () => {
    const ports = { PORT: await freePort(), DEMO_APP_PORT: await freePort(), POSTGRES_PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort() };
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, DEMO_LATENCY_MS: '150' };
    for (const [name, port] of Object.entries(ports)) env[name] = String(port);
    const first = await npmStart(env);
    const apiKey = readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();
    const base = `http://127.0.0.1:${ports.PORT}/plugins/experiments/api`;
    const call = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${base}${route}`, { method, headers: { 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: response.status, body: (await response.json()) as any };
    };
    db = new Kysely<any>({ dialect: new PostgresJsDialect(postgres(`postgres://postgres:postgres@127.0.0.1:${ports.POSTGRES_PORT}/postgres`, { max: 1, onnotice: () => {} })) });
    await installTestAudit(db);
    await db.destroy();
    db = undefined;

    const list = await call('GET', '/experiments');
    const experimentId = list.body.experiments[0].id as string;
    const experiment = await call('GET', `/experiments/${experimentId}`);
    const variants: Array<{ id: string; isBaseline: boolean; children?: unknown[] }> = [...experiment.body.variants];
    const baseline = variants.find((v) => v.isBaseline)!;
    const repeats = 6;
    const run = await call('POST', `/experiments/${experimentId}/variants/${baseline.id}/runs`, { concurrency: 3, repeats, traceTimeoutSeconds: 120 });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    const runId = run.body.runId as string;
    const total = demoTasks.length * repeats;
    for (;;) {
      const now = await call('GET', `/experiments/${experimentId}/runs/${runId}`);
      if ((now.body.counts.passed ?? 0) + (now.body.counts.failed ?? 0) >= total / 4) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Everything at once, as the kernel's OOM killer or `kill -9 -<pgid>` would: host, worker, Postgres, Temporal.
    killGroup(first.child, 'SIGKILL');
    await exited(first.child);
    const second = await npmStart(env);
    expect(second.output()).not.toContain('Could not start');

    let ended: any;
    const deadline = Date.now() + 200_000;
    for (;;) {
      const now = await call('GET', `/experiments/${experimentId}/runs/${runId}`);
      if (!['pending', 'running'].includes(now.body.status)) {
        ended = now.body;
        break;
      }
      if (Date.now() > deadline) throw new Error(`run still ${now.body.status}: ${JSON.stringify(now.body.counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(ended.status).toBe('completed');
    db = new Kysely<any>({ dialect: new PostgresJsDialect(postgres(`postgres://postgres:postgres@127.0.0.1:${ports.POSTGRES_PORT}/postgres`, { max: 1, onnotice: () => {} })) });
    const recount = await expectExactAccounting(db, { runId, counts: ended.counts }, total);
    expect(recount.byStatus.errored).toBe(0);
    const rows = await sql<{ n: number }>`select count(*)::int as n from experiments.tests where run_id = ${runId}`.execute(db);
    expect(rows.rows[0]!.n).toBe(total);
    await db.destroy();
    db = undefined;

    // Ctrl-C: everything stops, the Temporal dev server included.
    const temporalPid = pidFrom(path.join(dataDir, 'temporal', 'temporal-dev-server.pid'));
    expect(temporalPid).not.toBeNull();
    second.child.kill('SIGINT');
    await exited(second.child);
    expect(isRunning(temporalPid!), 'the Temporal dev server outlived Ctrl-C').toBe(false);
  }, 600_000);
});
