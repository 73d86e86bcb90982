import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { sendTestWebhook } from '../../plugin/webhook/send-test-webhook.js';
import { startTsxProcess } from '../helpers/tsx-process.js';
import { kill } from '../helpers/worker-process.js';

/** The stand-in application by itself at one point of the sweep. */
export interface ApplicationAlone {
  wallSeconds: number;
  /** Wall time ÷ the ideal (tests ÷ concurrency × latency), as for the plugin's runs. */
  ratio: number;
  /** The mean time from sending a webhook to its answer, against the latency asked for. */
  roundTripMs: number;
}

/**
 * The floor under a point of the sweep: the same stand-in application in a process of its own, the same number of
 * tests and concurrency, but driven by a bare client (the plugin's own webhook sender, lanes in a loop, nothing
 * stored) and its traces answered by a sink that keeps nothing. What it takes beyond the ideal is the application's
 * own (its timers, its work, its single thread shared by the lanes); a run of the plugin can only add to it.
 */
export async function measureApplicationAlone(options: { tests: number; concurrency: number; appLatencyMs: number }): Promise<ApplicationAlone> {
  const sink = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const { child, ready } = await startTsxProcess('test/bench/demo-app-process.ts', {
    env: {
      ...process.env,
      HOST_URL: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
      API_KEY: 'bench',
      WEBHOOK_SECRET: secret,
      // Two model calls a test, as in the plugin's runs (run-overhead.ts).
      LATENCY_MS: String(options.appLatencyMs / 2),
    },
    ready: /listening (\S+)/,
  });
  try {
    const url = ready[1]!;
    let next = 0;
    let roundTrips = 0;
    const started = performance.now();
    const lane = async () => {
      for (let index = next++; index < options.tests; index = next++) {
        const task = demoTasks[index % demoTasks.length]!;
        const testId = randomUUID();
        const sentAt = performance.now();
        const outcome = await sendTestWebhook({
          url,
          secret,
          webhookId: testId,
          body: {
            testId,
            prompt: task.prompt,
            metadata: {},
            task: { id: `task-${index}`, title: `Bench task ${index}` },
            experiment: { id: 'bench', variantId: 'baseline', runId: 'bench', repeat: index % 20, overrides: demoBaselineConfig },
          },
          timeoutMs: 30_000,
          allowedHosts: '127.0.0.1',
        });
        if (outcome.kind !== 'accepted') throw new Error(`the stand-in application refused a test: ${JSON.stringify(outcome)}`);
        roundTrips += performance.now() - sentAt;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, lane));
    const wallSeconds = (performance.now() - started) / 1000;
    const idealSeconds = (options.tests / options.concurrency) * (options.appLatencyMs / 1000);
    return { wallSeconds: round(wallSeconds), ratio: round(wallSeconds / idealSeconds), roundTripMs: round(roundTrips / options.tests) };
  } finally {
    await kill(child, 'SIGTERM');
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}

const round = (value: number) => Math.round(value * 1000) / 1000;
