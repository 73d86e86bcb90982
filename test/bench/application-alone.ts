import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoBaselineConfig, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import type { ClaimedDelivery } from '../../plugin/store/dispatch-repository.js';
import { sendTestWebhook } from '../../plugin/webhook/send-test-webhook.js';
import { kill } from '../helpers/worker-process.js';
import { startDemoAppChild } from './demo-app-child.js';
import { idealSeconds } from './run-overhead.js';

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
  const { child, webhookUrl: url } = await startDemoAppChild({
    hostUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
    apiKey: 'bench',
    webhookSecret: secret,
    appLatencyMs: options.appLatencyMs,
  });
  try {
    let next = 0;
    let roundTrips = 0;
    const started = performance.now();
    const lane = async () => {
      for (let index = next++; index < options.tests; index = next++) {
        const task = demoTasks[index % demoTasks.length]!;
        const testId = randomUUID();
        // The plugin's own webhook body, so the application does what it does in a run.
        const body: ClaimedDelivery['body'] = {
          testId,
          prompt: task.prompt,
          metadata: {},
          task: { id: `task-${index}`, title: `Bench task ${index}` },
          experiment: { id: 'bench', variantId: 'baseline', runId: 'bench', repeat: index % 20, overrides: demoBaselineConfig },
        };
        const sentAt = performance.now();
        const outcome = await sendTestWebhook({
          url,
          secret,
          webhookId: testId,
          body,
          timeoutMs: 30_000,
          allowedHosts: '127.0.0.1',
        });
        if (outcome.kind !== 'accepted') throw new Error(`the stand-in application refused a test: ${JSON.stringify(outcome)}`);
        roundTrips += performance.now() - sentAt;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, lane));
    const wallSeconds = (performance.now() - started) / 1000;
    const ideal = idealSeconds(options.tests, options.concurrency, options.appLatencyMs);
    return { wallSeconds: round(wallSeconds), ratio: round(wallSeconds / ideal), roundTripMs: round(roundTrips / options.tests) };
  } finally {
    await kill(child, 'SIGTERM');
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}

const round = (value: number) => Math.round(value * 1000) / 1000;
