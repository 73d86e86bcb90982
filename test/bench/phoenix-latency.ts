import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createExperimentsPlugin, type ExperimentsPlugin } from '../../plugin/index.js';
import type { ExperimentsHost } from '../../plugin/host.js';
import { saveInferenceStep } from '../../hosts/phoenix/inference-step-repository.js';
import { createPhoenixShell } from '../../hosts/phoenix/phoenix-shell.js';
import { createProject, setProjectDataset } from '../../hosts/phoenix/project-repository.js';
import { saveWebhook } from '../../hosts/phoenix/webhook-repository.js';
import { ensurePhoenixInstalled } from '../../dev/services/phoenix-install.js';
import { startPhoenixServer } from '../../dev/services/phoenix-server.js';
import { createPhoenixTraceSender } from '../helpers/phoenix-trace-sender.js';
import { measurePhoenixReadable } from './phoenix-readable.js';
import { loopbackReceivers, startReceiver } from '../helpers/receivers.js';
import { startSwitchableProxy } from '../helpers/switchable-proxy.js';
import { createSteadyPace } from './steady-pace.js';
import type { BenchServices } from './bench-services.js';

/** How the application's traces reach Phoenix: all at once, or at a steady rate (traces per second). */
export type PhoenixArrival = 'burst' | number;

export interface PhoenixLatency {
  /** `burst`, or `5/s`…: a steady rate. */
  arrival: string;
  tests: number;
  status: string;
  /** Traces the application's export to Phoenix failed for (their tests time out): should be 0. */
  exportFailures: number;
  wallSeconds: number;
  /** From the application's export of the trace to Phoenix (accepted) to the test's final result in the plugin. */
  spanToFinalMs: { p50: number; p95: number; max: number };
  /** The two halves: export → the plugin linked the trace (Phoenix stores it, the plugin's next read finds it), link → final. */
  spanToLinkMs: { p50: number; p95: number };
  linkToFinalMs: { p50: number; p95: number };
  /** The first half again: export → the plugin's span read returned the trace's root, → linked. */
  spanToPulledMs: { p50: number; p95: number };
  pulledToLinkMs: { p50: number; p95: number };
  /** How long the host's span reads and trace reads took, as the plugin called them. */
  hostCallMs: { spansAfter: { p50: number; p95: number }; traceGet: { p50: number; p95: number } };
  /** The floor: Phoenix alone, the same arrivals, export accepted → root span readable through its spans API. */
  phoenixReadableMs: { p50: number; p95: number };
  /** The plugin's requests to Phoenix while the run was open (span reads, trace reads, test-id lookups, the results write-back). */
  phoenixRequests: { total: number; perSecond: number; perTest: number; spanReads: number; traceReads: number; testIdLookups: number };
  /** CPU of this process (the plugin, the application, the trace sender) per test, and the load average around the case. */
  benchCpuMsPerTest: number;
  loadAverage: { before: number; after: number };
}

export interface PhoenixLatencyOptions {
  tests: number;
  concurrency: number;
  /** The cases, in order. Default: the burst, then 5, 10 and 20 traces a second. */
  arrivals?: PhoenixArrival[];
  /** The plugin's span pull interval; default 200 ms. */
  spanPullIntervalMs?: number;
  log?: (message: string) => void;
}

/**
 * Span in Phoenix → test final, and the load the plugin's span queries put on Phoenix, for each way traces may
 * arrive: a run of `tests` tests whose application answers each webhook at once and exports a small trace to
 * Phoenix (OTLP protobuf), either at once (a burst: the run dispatches as fast as it may) or at the next moment of
 * a steady clock (`n` a second, as an application tracing its normal traffic). Each case runs in a Phoenix project
 * of its own and is preceded by the floor: Phoenix alone, the same arrivals, read every 50 ms. The plugin reaches
 * Phoenix through a counting proxy. Uses PHOENIX_URL / PHOENIX_API_KEY when set, else starts a Phoenix.
 */
export async function measurePhoenixLatency(services: BenchServices, options: PhoenixLatencyOptions): Promise<PhoenixLatency[]> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already
  }
  let phoenixUrl = process.env.PHOENIX_URL;
  let apiKey = process.env.PHOENIX_API_KEY;
  let stopPhoenix = async () => {};
  if (!phoenixUrl) {
    const venv = await ensurePhoenixInstalled({ log: () => {} });
    const phoenix = await startPhoenixServer({ venv, workingDir: path.resolve('.data/bench/phoenix'), auth: true });
    stopPhoenix = () => phoenix.stop();
    phoenixUrl = phoenix.url;
    apiKey = phoenix.apiKey;
  }
  try {
    const cases: PhoenixLatency[] = [];
    for (const arrival of options.arrivals ?? ['burst', 5, 10, 20]) {
      const measured = await measureCase(services, { phoenixUrl, apiKey }, options, arrival);
      options.log?.(`phoenix ${measured.arrival}: span → final p50 / p95 ${measured.spanToFinalMs.p50} / ${measured.spanToFinalMs.p95} ms, Phoenix alone ${measured.phoenixReadableMs.p50} / ${measured.phoenixReadableMs.p95} ms`);
      cases.push(measured);
    }
    return cases;
  } finally {
    await stopPhoenix().catch(() => undefined);
  }
}

async function measureCase(
  services: BenchServices,
  phoenixAt: { phoenixUrl: string; apiKey: string | undefined },
  options: PhoenixLatencyOptions,
  arrival: PhoenixArrival,
): Promise<PhoenixLatency> {
  const { phoenixUrl, apiKey } = phoenixAt;
  const perSecond = arrival === 'burst' ? undefined : arrival;
  const loadBefore = os.loadavg()[0]!;
  const stops: Array<() => Promise<unknown>> = [];
  try {
    // First, with nothing else running, what Phoenix itself takes to make such arrivals readable.
    const floor = await measurePhoenixReadable({ phoenixUrl, apiKey, traces: options.tests, concurrency: options.concurrency, perSecond });
    const kinds = { spanReads: 0, traceReads: 0, testIdLookups: 0 };
    const proxy = await startSwitchableProxy(phoenixUrl, {
      onRequest: (url) => {
        if (!url.includes('/spans')) return;
        if (url.includes('trace_id=')) kinds.traceReads += 1;
        else if (url.includes('attribute=')) kinds.testIdLookups += 1;
        else kinds.spanReads += 1;
      },
    });
    stops.push(() => proxy.close());
    const databaseUrl = await services.newDatabase('phoenix_latency');
    const hostCalls = { spansAfter: [] as number[], get: [] as number[] };
    const seenAt = new Map<string, number>();
    const shell = await createPhoenixShell<ExperimentsPlugin>({
      databaseUrl,
      phoenix: { url: proxy.url, ...(apiKey ? { apiKey } : {}) },
      log: () => {},
      pluginFactory: async (phoenixHost) => {
        const host = timedHost(phoenixHost, hostCalls, seenAt);
        const plugin = createExperimentsPlugin(host, {
          databaseUrl,
          temporalAddress: services.temporalAddress,
          taskQueue: `bench-phoenix-${randomBytes(4).toString('hex')}`,
          webhookAllowedHosts: loopbackReceivers,
          // 200 ms, as in the figures of docs/benchmarks.md (the plugin's default is 500 ms).
          spanPullIntervalMs: options.spanPullIntervalMs ?? 200,
        });
        await plugin.migrate();
        return plugin;
      },
    });
    stops.push(() => shell.close());
    const plugin = shell.plugin!;
    const phoenixProject = `bench-${randomBytes(4).toString('hex')}`;
    const project = await createProject(shell.sql, { name: 'Bench', phoenixProject });
    await saveInferenceStep(shell.sql, project.id, { externalId: 'responder', title: 'Responder', type: 'llm' });
    const dataset = await shell.phoenix.datasets.upload({
      name: `bench-${phoenixProject}`,
      inputs: Array.from({ length: options.tests }, (_, i) => ({ prompt: `Say ok ${i}` })),
      metadata: Array.from({ length: options.tests }, () => ({ evaluations: [{ type: 'contains', value: 'ok' }] })),
    });
    await setProjectDataset(shell.sql, project.id, dataset.datasetId);

    const sender = createPhoenixTraceSender({ phoenixUrl, ...(apiKey ? { apiKey } : {}), project: phoenixProject });
    stops.push(() => sender.shutdown());
    const pace = perSecond ? createSteadyPace(perSecond) : async () => {};
    const exportedAt = new Map<string, number>();
    let exportFailures = 0;
    const app = await startReceiver({
      respond: ({ body }) => {
        const testId = body.testId as string;
        void pace()
          .then(() =>
            sender.send({
              name: 'pipeline',
              attributes: { 'experiment.test_id': testId, 'output.value': 'ok, done' },
              children: [{ name: 'responder', attributes: { 'experiment.step': 'responder' } }],
            }),
          )
          .then(
            () => exportedAt.set(testId, Date.now()),
            (error: unknown) => {
              exportFailures += 1;
              console.warn(`bench: exporting the trace of ${testId} failed: ${(error as Error).message}`);
            },
          );
        return { status: 202 };
      },
    });
    stops.push(() => app.close());
    await saveWebhook(shell.sql, project.id, { url: app.url });
    const worker = await plugin.createWorker();
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });

    const api = async (method: string, route: string, body?: unknown) => {
      const response = await shell.app.request(`${plugin.manifest.mountPath}/api${route}`, {
        method,
        headers: { 'x-api-key': project.apiKey, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await response.json()) as any;
    };
    const experiment = await api('POST', '/experiments', { name: 'Phoenix latency' });
    await api('PATCH', `/experiments/${experiment.id}`, { inferenceSteps: ['responder'], taskSource: { sourceId: dataset.datasetId } });
    await api('PUT', `/experiments/${experiment.id}/baseline`, { config: { responder: { temperature: 0.3 } } });
    const baselineId = (await api('GET', `/experiments/${experiment.id}`)).variants[0].id as string;
    const requestsBefore = proxy.requests;
    Object.assign(kinds, { spanReads: 0, traceReads: 0, testIdLookups: 0 });
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const run = await api('POST', `/experiments/${experiment.id}/variants/${baselineId}/runs`, {
      concurrency: options.concurrency,
      traceTimeoutSeconds: 120,
    });
    let status = 'running';
    while (status === 'pending' || status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await api('GET', `/experiments/${experiment.id}/runs/${run.runId}`)).status;
    }
    const wallMs = Date.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const requests = proxy.requests - requestsBefore;
    const finished = await shell.sql<Array<{ test_id: string; finished_at: Date; linked_at: Date | null }>>`
      select tests.test_id, tests.finished_at, links.received_at as linked_at
      from experiments.tests left join experiments.trace_links links on links.test_id = tests.test_id and links.kind = 'linked'
      where tests.run_id = ${run.runId} and tests.finished_at is not null`;
    const measured = finished.filter((row) => exportedAt.has(row.test_id));
    const sorted = (values: number[]) => values.map((value) => Math.max(0, value)).sort((a, b) => a - b);
    const quantile = (values: number[], q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;
    const latencies = sorted(measured.map((row) => row.finished_at.getTime() - exportedAt.get(row.test_id)!));
    const toLink = sorted(measured.filter((row) => row.linked_at).map((row) => row.linked_at!.getTime() - exportedAt.get(row.test_id)!));
    const fromLink = sorted(measured.filter((row) => row.linked_at).map((row) => row.finished_at.getTime() - row.linked_at!.getTime()));
    const toSeen = sorted(measured.filter((row) => seenAt.has(row.test_id)).map((row) => seenAt.get(row.test_id)! - exportedAt.get(row.test_id)!));
    const seenToLink = sorted(measured.filter((row) => row.linked_at && seenAt.has(row.test_id)).map((row) => row.linked_at!.getTime() - seenAt.get(row.test_id)!));
    const at = (q: number) => quantile(latencies, q);
    const spread = (values: number[]) => ({ p50: Math.round(quantile(sorted(values), 0.5)), p95: Math.round(quantile(sorted(values), 0.95)) });
    return {
      arrival: perSecond ? `${perSecond}/s` : 'burst',
      tests: options.tests,
      status,
      exportFailures,
      wallSeconds: Number((wallMs / 1000).toFixed(1)),
      spanToFinalMs: { p50: Math.round(at(0.5)), p95: Math.round(at(0.95)), max: Math.round(latencies.at(-1) ?? NaN) },
      spanToLinkMs: { p50: Math.round(quantile(toLink, 0.5)), p95: Math.round(quantile(toLink, 0.95)) },
      linkToFinalMs: { p50: Math.round(quantile(fromLink, 0.5)), p95: Math.round(quantile(fromLink, 0.95)) },
      spanToPulledMs: spread(toSeen),
      pulledToLinkMs: spread(seenToLink),
      hostCallMs: { spansAfter: spread(hostCalls.spansAfter), traceGet: spread(hostCalls.get) },
      phoenixReadableMs: { p50: floor.p50, p95: floor.p95 },
      phoenixRequests: {
        total: requests,
        perSecond: Number((requests / (wallMs / 1000)).toFixed(1)),
        perTest: Number((requests / options.tests).toFixed(2)),
        ...kinds,
      },
      benchCpuMsPerTest: Number(((cpu.user + cpu.system) / 1000 / options.tests).toFixed(1)),
      loadAverage: { before: Number(loadBefore.toFixed(1)), after: Number(os.loadavg()[0]!.toFixed(1)) },
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** The host, with the time its span reads and trace reads take recorded, and when a test's root span was first pulled. */
function timedHost(host: ExperimentsHost, calls: { spansAfter: number[]; get: number[] }, seenAt: Map<string, number>): ExperimentsHost {
  const { spansAfter, get } = host.traces;
  return {
    ...host,
    traces: {
      ...host.traces,
      get: async (projectId, traceId) => {
        const started = performance.now();
        try {
          return await get.call(host.traces, projectId, traceId);
        } finally {
          calls.get.push(performance.now() - started);
        }
      },
      ...(spansAfter
        ? {
            spansAfter: async (projectId: string, cursor: string | undefined, limit: number) => {
              const started = performance.now();
              const page = await spansAfter.call(host.traces, projectId, cursor, limit);
              calls.spansAfter.push(performance.now() - started);
              for (const span of page.spans) {
                const testId = span.attributes['experiment.test_id'];
                if (!span.parentSpanId && typeof testId === 'string' && !seenAt.has(testId)) seenAt.set(testId, Date.now());
              }
              return page;
            },
          }
        : {}),
    },
  };
}
