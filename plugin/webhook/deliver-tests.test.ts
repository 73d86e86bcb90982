import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginDatabase, insertExperimentWithBaseline } from '../../test/helpers/plugin-database.js';
import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost } from '../host.js';
import type { Db } from '../store/connect.js';
import { jsonb } from '../store/jsonb.js';
import { deliverTests } from './deliver-tests.js';

let database: Awaited<ReturnType<typeof createPluginDatabase>>;
let db: Db;
let received: string[] = [];
let url = '';
const server = createServer((request, response) => {
  received.push(String(request.headers['webhook-id']));
  request.resume();
  request.on('end', () => {
    response.statusCode = 202;
    response.end();
  });
});

beforeAll(async () => {
  database = await createPluginDatabase('deliver');
  db = database.db;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await database?.close();
});

async function pendingRun(tests: number) {
  const { experiment, variant } = await insertExperimentWithBaseline(db, 'p', 'Deliver');
  await db.insertInto('experiment_tasks').values({ experiment_id: experiment.id, task_id: 't', position: 0, snapshot: jsonb({ id: 't', title: 't', prompt: 'Hi' }) }).execute();
  const run = await db
    .insertInto('runs')
    .values({
      experiment_id: experiment.id, variant_id: variant.id, number: 1, is_baseline: true, status: 'running', concurrency: 3, repeats: tests,
      trace_timeout_seconds: 60, config: JSON.stringify({}), total: tests, workflow_id: `run-${experiment.id}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('tests').values(Array.from({ length: tests }, (_, i) => ({ run_id: run.id, task_id: 't', repeat: i, position: i, test_id: crypto.randomUUID() }))).execute();
  return run.id;
}

const host = { application: { get: async () => ({ url, secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` }) } } as unknown as ExperimentsHost;
const config = { webhookTimeoutMs: 5_000, webhookAllowedHosts: '127.0.0.1' } as ExperimentsConfig;

describe('deliverTests', () => {
  it('sends every test once and records each as accepted, however the lanes share their statements', async () => {
    received = [];
    const runId = await pendingRun(40);
    const result = await deliverTests({ db, host, config }, runId, { concurrency: 7, awaitingLimit: 1_000, maxTests: 1_000, traceTimeoutSeconds: 60 });
    expect(result).toEqual({ claimed: 40, pendingLeft: 0 });
    const rows = await db.selectFrom('tests').select(['test_id', 'status', 'http_status']).where('run_id', '=', runId).execute();
    expect(rows.every((row) => row.status === 'awaiting_trace' && row.http_status === 202)).toBe(true);
    expect([...received].sort()).toEqual(rows.map((row) => row.test_id).sort());
  });

  it('pauses at the awaiting limit: lanes waiting for room never go on from a count older than their ask', async () => {
    received = [];
    const runId = await pendingRun(60);
    const stop = new AbortController();
    const delivering = deliverTests({ db, host, config, signal: stop.signal }, runId, { concurrency: 3, awaitingLimit: 6, maxTests: 1_000, traceTimeoutSeconds: 60 });
    // Instant answers and no traces: delivery reaches the limit at once and stays there.
    let seen = -1;
    while (seen !== received.length) {
      seen = received.length;
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
    // Each lane may have one test claimed ahead and one outcome not yet counted when it looks.
    expect(received.length).toBeGreaterThanOrEqual(6);
    expect(received.length).toBeLessThanOrEqual(6 + 2 * 3);
    stop.abort();
    await delivering;
  });
});
