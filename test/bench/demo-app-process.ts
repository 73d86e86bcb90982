// The demo application in a process of its own, as a user's application runs beside the tracing tool:
// `tsx test/bench/demo-app-process.ts` with HOST_URL, API_KEY, WEBHOOK_SECRET and LATENCY_MS; prints its URL.
import { startDemoApp } from '../../dev/demo-app/index.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const demo = await startDemoApp({
  port: 0,
  secret: env('WEBHOOK_SECRET'),
  hostUrl: env('HOST_URL'),
  apiKey: env('API_KEY'),
  latencyMs: Number(env('LATENCY_MS')),
  respond: 'after_pipeline',
  logger: { info: () => {}, warn: (...args) => console.error(...args), error: (...args) => console.error(...args) },
});
process.stdout.write(`listening ${demo.webhookUrl}\n`);
process.once('SIGTERM', () => void demo.close().then(() => process.exit(0)));
