import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startReceiver, type Receiver } from '../helpers/receivers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { freePort } from '../../dev/services/free-port.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const hostExample = path.join(root, 'docs/examples/minimal-host.mjs');
const versionOf = (name: string) => JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version as string;

/**
 * The package as a host gets it: built and packed (`npm pack`, whose `prepack` builds), installed from the tarball
 * into an empty project outside the repository, and run there with plain `node` — the README's minimal host
 * (docs/examples/minimal-host.mjs), migrations against Postgres, a worker on the Temporal dev server — driving one
 * baseline to completion over the JSON API, an application answering its webhooks and sending spans to the host.
 */
let work: string;
let hostDir: string;
let tarball: string;
let tarballFiles: string[];
let database: TestDatabase;
let application: Receiver;
let host: ChildProcess | undefined;
let hostOutput = '';
let baseUrl: string;
const apiKey = `key_${randomBytes(8).toString('hex')}`;
const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;

// A host process gets only what a host would have: no NODE_OPTIONS (so no tsx or vitest loader), a few settings.
const plainEnv = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...extra });

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'experiments-package-'));
  hostDir = path.join(work, 'host');
  mkdirSync(hostDir);
  writeFileSync(path.join(hostDir, 'package.json'), JSON.stringify({ name: 'minimal-host', private: true, type: 'module' }));
  const install = (packages: string[], flags: string[] = []) =>
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...flags, ...packages], { cwd: hostDir, env: plainEnv({}), maxBuffer: 64 * 1024 * 1024 });
  const hostPackages = ['hono', '@hono/node-server'].map((name) => `${name}@${versionOf(name)}`);

  // While the package builds (CPU), the packages the tarball will ask for are unpacked (disk), unsaved: the same
  // versions as here, from npm's cache when they are there. Installing the tarball then keeps them where they are.
  const { dependencies } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const packageDependencies = Object.keys(dependencies).filter((name) => name !== 'postgres').map((name) => `${name}@${versionOf(name)}`);
  const [packed] = await Promise.all([
    run('npm', ['pack', '--pack-destination', work, '--json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 }),
    install(packageDependencies, ['--no-save']),
  ]);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
  tarball = path.join(work, info!.filename);
  tarballFiles = (await run('tar', ['tzf', tarball], { maxBuffer: 64 * 1024 * 1024 })).stdout.split('\n').filter(Boolean);
  await install([tarball, ...hostPackages]);
  copyFileSync(hostExample, path.join(hostDir, 'minimal-host.mjs'));

  database = await createTestDatabase('pkg');
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  application = await startReceiver({
    respond: ({ body }) => {
      void sendTrace(body);
      return { status: 202 };
    },
  });
}, 240_000);

afterAll(async () => {
  if (host && host.exitCode === null) {
    const exited = new Promise((resolve) => host!.once('exit', resolve));
    host.kill('SIGKILL');
    await exited;
  }
  await application?.close();
  await database?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** What the application does with a test: answers, and sends the trace (a root span and the step's span) to the host. */
async function sendTrace(payload: { testId: string; prompt: string; experiment: { overrides: Record<string, Record<string, unknown>> } }) {
  const traceId = randomBytes(16).toString('hex');
  const rootSpanId = randomBytes(8).toString('hex');
  const now = Date.now();
  const at = (ms: number) => new Date(now + ms).toISOString();
  const step = payload.experiment.overrides.answer ?? {};
  const spans = [
    {
      traceId,
      spanId: rootSpanId,
      parentSpanId: null,
      name: 'pipeline',
      startTime: at(0),
      endTime: at(30),
      status: 'ok',
      // Says "refund" and never "open": the refund task passes and the opening-hours task fails.
      attributes: { 'experiment.test_id': payload.testId, 'input.value': payload.prompt, 'output.value': 'A refund takes 5 days.' },
    },
    {
      traceId,
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: rootSpanId,
      name: 'answer',
      startTime: at(5),
      endTime: at(25),
      status: 'ok',
      attributes: { 'experiment.step': 'answer', 'gen_ai.request.model': step.model, 'gen_ai.request.temperature': step.temperature },
    },
  ];
  await fetch(`${baseUrl}/spans`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ spans }) });
}

async function api<T = any>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}/plugins/experiments/api${pathname}`, {
    method,
    headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as T) : (undefined as T) };
}

async function startHost(): Promise<void> {
  host = spawn(process.execPath, ['minimal-host.mjs'], {
    cwd: hostDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: plainEnv({
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      // A queue of its own: other test files' runs on the shared dev server are not this worker's.
      EXPERIMENTS_TASK_QUEUE: `experiments-package-${randomBytes(4).toString('hex')}`,
      API_KEY: apiKey,
      APP_WEBHOOK_URL: application.url,
      // The application here is on loopback, which webhooks reach only when allowed.
      EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_SECRET: webhookSecret,
      PORT: new URL(baseUrl).port,
    }),
  });
  host.stdout!.on('data', (chunk: Buffer) => (hostOutput += chunk.toString()));
  host.stderr!.on('data', (chunk: Buffer) => (hostOutput += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!hostOutput.includes('host listening')) {
    if (host.exitCode !== null) throw new Error(`the host exited with ${host.exitCode}:\n${hostOutput}`);
    if (Date.now() > deadline) throw new Error(`the host did not start within 60 s:\n${hostOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the packed package, installed into an empty host project', () => {
  it('ships dist/ with declarations and source maps, the manifest, the workflow bundle and patched postgres.js; nothing of dev/ or test/', () => {
    const files = tarballFiles.map((file) => file.replace(/^package\//, ''));
    for (const file of ['dist/plugin/index.js', 'dist/plugin/index.d.ts', 'dist/plugin/index.js.map', 'dist/plugin/migrations.js', 'dist/workflows/worker.js', 'dist/workflows/workflow-bundle.js', 'dist/cli/experiments.js', 'dist/plugin.manifest.json', 'dist/plugin.manifest.schema.json', 'CHANGELOG.md']) {
      expect(files, file).toContain(file);
    }
    expect(files.filter((file) => /^(dev|test|dist\/dev|dist\/test)\//.test(file) || /\.test\.|\.ts$/.test(file.replace(/\.d\.ts$/, '')))).toEqual([]);
    expect(files.filter((file) => /^dist\/migrations\/.*\.js$/.test(file)).length).toBeGreaterThan(0);
    // The fixes of patches/postgres+3.4.9.patch travel inside the package, not through a script run at install.
    const installed = readFileSync(path.join(hostDir, 'node_modules/llm-experiments-plugin/node_modules/postgres/src/connection.js'), 'utf8');
    expect(installed).toContain('fetchArrayTypes().catch(noop)');
    const manifest = JSON.parse(readFileSync(path.join(hostDir, 'node_modules/llm-experiments-plugin/dist/plugin.manifest.json'), 'utf8'));
    for (const file of [manifest.entry, manifest.migrations.folder, manifest.temporal.workflows, manifest.$schema]) {
      expect(existsSync(path.join(hostDir, 'node_modules/llm-experiments-plugin/dist', file)), file).toBe(true);
    }
    // No TypeScript tooling came with it: what runs below is plain JavaScript.
    expect(readdirSync(path.join(hostDir, 'node_modules'))).not.toContain('tsx');
  });

  it('runs its migrations from the package entry, the CLI from its bin, and a baseline end to end in the README host', async () => {
    const migrate = `import { migrateExperiments } from 'llm-experiments-plugin/migrations';
      console.log(JSON.stringify(await migrateExperiments({ databaseUrl: process.env.DATABASE_URL })));`;
    const migrated = await run(process.execPath, ['--input-type=module', '-e', migrate], { cwd: hostDir, env: plainEnv({ DATABASE_URL: database.url }) });
    const applied = JSON.parse(migrated.stdout.trim()) as Array<{ migrationName: string; status: string }>;
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.every((migration) => migration.status === 'Success'), migrated.stdout).toBe(true);

    const help = await run(path.join(hostDir, 'node_modules/.bin/experiments'), ['--help'], { cwd: hostDir, env: plainEnv({}) });
    expect(help.stdout).toContain('run');

    await startHost();
    const htmx = await fetch(`${baseUrl}/plugins/experiments/assets/htmx.min.js`);
    expect(htmx.status).toBe(200);
    expect(await htmx.text()).toBe(readFileSync(path.join(hostDir, 'node_modules/htmx.org/dist/htmx.min.js'), 'utf8'));

    const created = await api<{ id: string }>('POST', '/experiments', { name: 'Packaged baseline' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    const patched = await api('PATCH', `/experiments/${id}`, { inferenceSteps: ['answer'], taskIds: ['refund', 'hours'] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const baseline = await api('PUT', `/experiments/${id}/baseline`, { config: { answer: { model: 'gpt-4o-mini', temperature: 0 } } });
    expect(baseline.status, JSON.stringify(baseline.body)).toBe(200);
    const baselineId = baseline.body.variants[0].id as string;

    const started = await api('POST', `/experiments/${id}/variants/${baselineId}/runs`, {});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const deadline = Date.now() + 60_000;
    let runBody: any;
    for (;;) {
      const polled = await api('GET', `/experiments/${id}/runs/${started.body.runId}`);
      expect(polled.status).toBe(200);
      runBody = polled.body;
      if (!['pending', 'running'].includes(runBody.status)) break;
      if (Date.now() > deadline) throw new Error(`run still ${runBody.status}: ${JSON.stringify(runBody.counts)}\n${hostOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(runBody.status, `${JSON.stringify(runBody)}\n${hostOutput}`).toBe('completed');
    expect(runBody.counts).toMatchObject({ passed: 1, failed: 1, errored: 0, timedOut: 0 });
    expect(application.received.map((request) => request.body.task?.id ?? request.body.taskId).sort()).toEqual(['hours', 'refund']);

    const experiment = await api('GET', `/experiments/${id}`);
    expect(experiment.body.status).toBe('baseline_complete');
  });
});
