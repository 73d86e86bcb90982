import type { ChildProcess } from 'node:child_process';
import { startTsxProcess } from '../helpers/tsx-process.js';

/**
 * The demo app (`demo-app-process.ts`) in a process of its own, answering a webhook after about `appLatencyMs`: its
 * pipeline makes two model calls, each given half. Resolves with the webhook URL once it listens.
 */
export async function startDemoAppChild(settings: { hostUrl: string; apiKey: string; webhookSecret: string; appLatencyMs: number }): Promise<{ child: ChildProcess; webhookUrl: string }> {
  const { child, ready } = await startTsxProcess('test/bench/demo-app-process.ts', {
    env: {
      ...process.env,
      HOST_URL: settings.hostUrl,
      API_KEY: settings.apiKey,
      WEBHOOK_SECRET: settings.webhookSecret,
      LATENCY_MS: String(settings.appLatencyMs / 2),
    },
    ready: /listening (\S+)/,
  });
  return { child, webhookUrl: ready[1]! };
}
