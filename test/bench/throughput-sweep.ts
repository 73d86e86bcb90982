import { measureApplicationAlone, type ApplicationAlone } from './application-alone.js';
import type { BenchServices } from './bench-services.js';
import { measureRunOverhead, type OverheadFigures } from './run-overhead.js';

/** One point of the sweep: what the run had to sustain (tests per second at the ideal) and how close it came. */
export interface SweepPoint extends OverheadFigures {
  testsPerSecondIdeal: number;
  /** The stand-in application driven without the plugin at the same point: the floor under `ratio`. */
  applicationAlone: ApplicationAlone;
}

/**
 * Issue #20's sweep: the overhead of a run at every pairing of the application's latency and the run's concurrency,
 * each point a fresh database and worker with the application in a process of its own. The rate a point asks for is
 * concurrency ÷ latency; past what two cores can serve, the ratio measures the machine, not the plugin.
 */
export async function measureThroughputSweep(
  services: BenchServices,
  options: { tests: number; latenciesMs: number[]; concurrencies: number[]; only?: Array<[number, number]>; log?: (line: string) => void },
): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  const grid = options.latenciesMs.flatMap((latency) => options.concurrencies.map((concurrency): [number, number] => [latency, concurrency]));
  for (const [appLatencyMs, concurrency] of options.only ?? grid) {
    const figures = await measureRunOverhead(services, { tests: options.tests, concurrency, appLatencyMs });
    const applicationAlone = await measureApplicationAlone({ tests: options.tests, concurrency, appLatencyMs });
    const point = { ...figures, testsPerSecondIdeal: Math.round((concurrency * 1000) / appLatencyMs), applicationAlone };
    points.push(point);
    options.log?.(
      `sweep ${appLatencyMs} ms × c=${concurrency} (${point.testsPerSecondIdeal} tests/s): ${point.ratio}× ideal ` +
        `(the application alone ${applicationAlone.ratio}×), CPU ms/test ${describeCpu(point)}`,
    );
  }
  return points;
}

/** `50x10`: a point of the sweep, application latency in ms × concurrency; anything else is refused with an example. */
export function parseSweepPoint(text: string): [number, number] {
  const match = /^([1-9]\d*)x([1-9]\d*)$/.exec(text.trim());
  if (!match) throw new Error(`BENCH_SWEEP_POINTS: "${text}" is not latency×concurrency (e.g. 50x10,200x50)`);
  return [Number(match[1]), Number(match[2])];
}

export function describeCpu(point: OverheadFigures): string {
  return Object.entries(point.cpuMsPerTest)
    .map(([part, ms]) => `${part} ${ms}`)
    .join(', ');
}

/** CPU per test across the plugin's own parts (the application's CPU is the user's, not the plugin's). */
export function pluginCpuMsPerTest(point: OverheadFigures): number {
  const { 'demo app': _application, ...plugin } = point.cpuMsPerTest;
  return Math.round(Object.values(plugin).reduce((sum, ms) => sum + ms, 0) * 100) / 100;
}
