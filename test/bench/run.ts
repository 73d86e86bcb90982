// `npm run bench`: the figures issue #8 asks for, printed as a table and written to test/bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBenchServices } from './bench-services.js';
import { measureRunOverhead } from './run-overhead.js';
import { measureScale } from './run-scale.js';
import { measureIngestion } from './ingestion-overhead.js';
import { measurePages } from './page-render.js';
import { measurePhoenixLatency } from './phoenix-latency.js';
import { describeCpu, measureThroughputSweep, parseSweepPoint, pluginCpuMsPerTest } from './throughput-sweep.js';

const only = new Set(process.argv.slice(2));
const wanted = (name: string) => only.size === 0 || only.has(name);
const quick = process.env.BENCH_QUICK === '1';
// BENCH_SWEEP_POINTS=50x10,200x50 measures only those latency × concurrency points (one rate, re-measured); read
// before anything starts, so a mistyped point is refused at once.
const sweepPoints = process.env.BENCH_SWEEP_POINTS?.split(',').map(parseSweepPoint);

const services = await startBenchServices();
const figures: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` },
};
const rows: Array<[string, string, string]> = [];
try {
  if (wanted('overhead')) {
    const a = await measureRunOverhead(services, { tests: quick ? 200 : 1_000, concurrency: 20, appLatencyMs: 200 });
    figures.runOverhead = a;
    rows.push(['(a) run overhead: wall ÷ ideal', `${a.ratio} (${a.wallSeconds} s vs ${a.idealSeconds} s)`, '≤ 1.2']);
    rows.push(['(c) trace → result p50 / p95', `${a.traceToResultMs.p50} / ${a.traceToResultMs.p95} ms`, 'p95 ≤ 100 ms']);
    rows.push(['(c) root span ended → result p50 / p95', `${a.rootEndToResultMs.p50} / ${a.rootEndToResultMs.p95} ms`, 'export and ingestion included']);
    rows.push(['(a) CPU per test, ms', describeCpu(a), 'where the time goes']);
    rows.push(['(a) Postgres CPU per test by client, ms', Object.entries(a.postgresCpuMsPerTestByClient).map(([client, ms]) => `${client} ${ms}`).join(', '), 'where the time goes']);
    if (a.statements) rows.push(['(a) statements per test', `${a.statements.perTest} (${a.statements.top.slice(0, 6).map((s) => `${s.perTest}× ${s.execMsPerTest} ms (planned ${s.plansPerTest}×, ${s.planMsPerTest} ms) ${s.walBytesPerTest} B WAL ${s.query.slice(0, 40)}`).join('; ')})`, 'where the time goes']);
  }
  // The sweep takes about ten minutes, so it runs only when asked for by name: `npm run bench -- sweep`.
  if (only.has('sweep')) {
    const points = await measureThroughputSweep(services, {
      tests: quick ? 200 : 1_000,
      latenciesMs: [50, 200, 1_000],
      concurrencies: [10, 25, 50, 100],
      only: sweepPoints,
      log: console.log,
    });
    figures.sweep = points;
    for (const point of points) {
      rows.push([
        `(g) sweep ${point.appLatencyMs} ms, c=${point.concurrency} (${point.testsPerSecondIdeal}/s)`,
        `${point.ratio}× ideal (application alone ${point.applicationAlone.ratio}×); CPU ms/test plugin parts ${pluginCpuMsPerTest(point)} (${describeCpu(point)})`,
        point.testsPerSecondIdeal <= 250 ? '≤ 1.15×' : 'past 250/s',
      ]);
    }
  }
  if (wanted('scale')) {
    const b = await measureScale(services, { tests: quick ? 1_000 : 10_000, concurrency: 50 });
    figures.scale = b;
    rows.push(['(b) scale: run', `${b.tests} tests ${b.status} in ${b.wallSeconds} s`, 'completes']);
    rows.push(['(b) worker peak RSS', `${b.workerPeakRssMb} MB`, '≤ 300 MB']);
    rows.push(['(b) largest history', `${b.largestHistoryEvents} events in ${b.executions} executions`, '< 10,240']);
  }
  if (wanted('ingestion')) {
    const d = await measureIngestion(services, { requests: quick ? 50 : 500, spansPerRequest: 50, rounds: quick ? 4 : 10 });
    figures.ingestion = d;
    rows.push(['(d) ingestion on ÷ off (median of rounds)', `${d.ratio} (${d.spansPerSecondOn} vs ${d.spansPerSecondOff} spans/s; rounds ${d.roundRatios.join(', ')})`, '≥ 0.95']);
  }
  if (wanted('pages')) {
    const e = await measurePages(services, { variants: 20, tasks: quick ? 1_000 : 10_000, samples: quick ? 10 : 30 });
    figures.pages = e;
    for (const [name, timing] of Object.entries(e.timings)) {
      rows.push([`(e) ${name} p50 / p95`, `${timing.p50} / ${timing.p95} ms (HTTP ${timing.status})`, name.includes('results') ? 'p95 ≤ 150 ms' : 'p95 ≤ 100 ms']);
    }
  }
  if (wanted('phoenix')) {
    // BENCH_PHOENIX_ARRIVALS=burst,5 picks cases; BENCH_PHOENIX_PULL_MS sets the plugin's span pull interval.
    const arrivals = process.env.BENCH_PHOENIX_ARRIVALS?.split(',').map((arrival) => (arrival === 'burst' ? arrival : Number(arrival)));
    const pullMs = Number(process.env.BENCH_PHOENIX_PULL_MS) || undefined;
    const cases = await measurePhoenixLatency(services, {
      tests: quick ? 50 : 200,
      concurrency: 10,
      ...(arrivals ? { arrivals } : {}),
      ...(pullMs ? { spanPullIntervalMs: pullMs } : {}),
      log: console.log,
    });
    figures.phoenix = cases;
    for (const f of cases) {
      const name = `(f) Phoenix ${f.arrival}`;
      rows.push([`${name}: span → test final p50 / p95`, `${f.spanToFinalMs.p50} / ${f.spanToFinalMs.p95} ms (${f.tests} tests ${f.status})`, 'p95 ≤ 2 s']);
      rows.push([`${name}: span → linked, linked → final p95`, `${f.spanToLinkMs.p95} ms, ${f.linkToFinalMs.p95} ms`, 'where the time goes']);
      rows.push([`${name}: span → pulled, pulled → linked p95`, `${f.spanToPulledMs.p95} ms, ${f.pulledToLinkMs.p95} ms`, 'where the time goes']);
      rows.push([`${name}: host span read, trace read p50 / p95`, `${f.hostCallMs.spansAfter.p50} / ${f.hostCallMs.spansAfter.p95} ms, ${f.hostCallMs.traceGet.p50} / ${f.hostCallMs.traceGet.p95} ms`, 'where the time goes']);
      rows.push([`${name}: Phoenix alone, export → readable p50 / p95`, `${f.phoenixReadableMs.p50} / ${f.phoenixReadableMs.p95} ms`, 'the floor']);
      const r = f.phoenixRequests;
      rows.push([`${name}: plugin requests to Phoenix`, `${r.total} (${r.perSecond}/s, ${r.perTest} per test; span reads ${r.spanReads}, trace reads ${r.traceReads}, test-id lookups ${r.testIdLookups})`, 'bounded']);
      rows.push([`${name}: bench process CPU per test, load average`, `${f.benchCpuMsPerTest} ms; ${f.loadAverage.before} → ${f.loadAverage.after}`, 'context']);
    }
  }
} finally {
  await services.stop();
}

const dir = path.resolve('test/bench/results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(figures, null, 2)}\n`);
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\n${'measure'.padEnd(width)}  result  (target)`);
for (const [name, value, target] of rows) console.log(`${name.padEnd(width)}  ${value}  (${target})`);
console.log(`\nWritten to ${path.relative(process.cwd(), file)}`);
process.exit(0);
