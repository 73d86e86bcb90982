import { randomBytes } from 'node:crypto';
import { createPhoenixClient } from '../../hosts/phoenix/phoenix-client.js';
import { createPhoenixTraceSender } from '../helpers/phoenix-trace-sender.js';
import { createSteadyPace } from './steady-pace.js';

/**
 * Phoenix alone, as a floor for "span in Phoenix → test final": the same traces into a project of its own, and how
 * long after its export was accepted each trace's root span can be read from Phoenix's spans API, read every 50 ms.
 * As a burst (`concurrency` at once, each sent as soon as the one before was accepted) or, with `perSecond`, at a
 * steady rate.
 */
export async function measurePhoenixReadable(options: {
  phoenixUrl: string;
  apiKey?: string | undefined;
  traces: number;
  concurrency: number;
  perSecond?: number | undefined;
}) {
  const client = createPhoenixClient({ baseUrl: options.phoenixUrl, ...(options.apiKey ? { apiKey: options.apiKey } : {}) });
  const project = `bench-readable-${randomBytes(4).toString('hex')}`;
  const sender = createPhoenixTraceSender({
    phoenixUrl: options.phoenixUrl,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    project,
  });
  try {
    await sender.send({ name: 'first' });
    let cursor: string | undefined;
    for (const deadline = Date.now() + 30_000; !cursor && Date.now() < deadline;) {
      cursor = await client.spans.latestCursor(project).catch(() => undefined);
      if (!cursor) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const accepted = new Map<string, number>();
    const readable = new Map<string, number>();
    let sending = true;
    let giveUpAt = Infinity;
    const reading = (async () => {
      while ((sending || readable.size < accepted.size) && Date.now() < giveUpAt) {
        const page = await client.spans.after(project, cursor, 500);
        for (const span of page.spans) if (!span.parent_id) readable.set(span.context.trace_id, Date.now());
        cursor = page.cursor;
        if (!page.more) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const sendOne = async () => {
      const traceId = await sender.send({ name: 'pipeline', attributes: { 'output.value': 'ok' }, children: [{ name: 'responder' }] });
      accepted.set(traceId, Date.now());
    };
    if (options.perSecond) {
      const pace = createSteadyPace(options.perSecond);
      const sends: Array<Promise<void>> = [];
      for (let i = 0; i < options.traces; i++) {
        await pace();
        sends.push(sendOne());
      }
      await Promise.all(sends);
    } else {
      let next = 0;
      await Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          while (next < options.traces) {
            next += 1;
            await sendOne();
          }
        }),
      );
    }
    sending = false;
    giveUpAt = Date.now() + 60_000;
    await reading;
    const latencies = [...accepted].map(([traceId, at]) => (readable.get(traceId) ?? NaN) - at).sort((a, b) => a - b);
    const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
    return { traces: accepted.size, readable: readable.size, p50: at(0.5), p95: at(0.95) };
  } finally {
    await sender.shutdown();
  }
}
