import { randomBytes } from 'node:crypto';
import { createReferenceHost } from '../../dev/host/reference-host.js';
import { createProject } from '../../dev/host/project-repository.js';
import { hostWithPlugin, type BenchServices } from './bench-services.js';

export interface IngestionFigures {
  requests: number;
  spansPerRequest: number;
  spansPerSecondOff: number;
  spansPerSecondOn: number;
  /** Median of the rounds' on ÷ off. */
  ratio: number;
  roundRatios: number[];
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** An OTLP/HTTP JSON request of ordinary (non-experiment) traces: five spans each, roots included. */
function otlpBatch(spans: number) {
  const out = [];
  for (let i = 0; i < spans; i += 5) {
    const traceId = hex(16);
    const root = hex(8);
    const now = BigInt(Date.now()) * 1_000_000n;
    for (let j = 0; j < 5; j += 1) {
      out.push({
        traceId,
        spanId: j === 0 ? root : hex(8),
        ...(j === 0 ? {} : { parentSpanId: root }),
        name: j === 0 ? 'pipeline' : `step-${j}`,
        kind: 1,
        startTimeUnixNano: String(now),
        endTimeUnixNano: String(now + 5_000_000n),
        attributes: [
          { key: 'input.value', value: { stringValue: 'How do I reset my password?' } },
          { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
          { key: 'gen_ai.usage.input_tokens', value: { intValue: '42' } },
        ],
      });
    }
  }
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans: out }] }] };
}

/** (d) Host ingestion with the plugin's span hook on vs off: the same host code, the same database. */
export async function measureIngestion(services: BenchServices, options: { requests: number; spansPerRequest: number; rounds: number }): Promise<IngestionFigures> {
  const databaseUrl = await services.newDatabase('bench_ingestion');
  const withPlugin = await hostWithPlugin(services, databaseUrl);
  const withoutPlugin = await createReferenceHost({ databaseUrl, baseUrl: 'http://127.0.0.1:1' });
  const apiKey = `bench_${hex(12)}`;
  await createProject(withPlugin.db, { name: 'Ingestion bench', apiKey });
  const body = JSON.stringify(otlpBatch(options.spansPerRequest));
  const send = async (host: typeof withoutPlugin) => {
    const started = performance.now();
    for (let i = 0; i < options.requests; i += 1) {
      const response = await host.app.request('/v1/traces', { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body });
      if (response.status !== 200) throw new Error(`ingestion answered ${response.status}: ${await response.text()}`);
    }
    return (options.requests * options.spansPerRequest) / ((performance.now() - started) / 1000);
  };
  try {
    await send(withoutPlugin);
    await send(withPlugin);
    // Alternate the two, and which goes first, so drift of the machine and the growing spans table (each
    // request adds to it) weigh on both alike.
    const off: number[] = [];
    const on: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      if (round % 2 === 0) {
        off.push(await send(withoutPlugin));
        on.push(await send(withPlugin));
      } else {
        on.push(await send(withPlugin));
        off.push(await send(withoutPlugin));
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    // Each round pairs two measurements taken back to back; the median of the rounds' ratios is not moved by
    // one round that a garbage collection or an autovacuum happened to hit (all ratios are kept in the file).
    const roundRatios = on.map((value, i) => Math.round((value / off[i]!) * 1000) / 1000);
    const sorted = [...roundRatios].sort((a, b) => a - b);
    const median = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    return {
      requests: options.requests * options.rounds,
      spansPerRequest: options.spansPerRequest,
      spansPerSecondOff: Math.round(mean(off)),
      spansPerSecondOn: Math.round(mean(on)),
      ratio: Math.round(median * 1000) / 1000,
      roundRatios,
    };
  } finally {
    await withoutPlugin.close();
    await withPlugin.close();
  }
}
