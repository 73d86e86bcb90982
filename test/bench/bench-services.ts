import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { createExperimentsPlugin, type ExperimentsPlugin } from '../../plugin/index.js';
import { createReferenceHost } from '../../dev/host/reference-host.js';
import { startEmbeddedPostgres } from '../../dev/services/embedded-postgres.js';
import { startTemporalDevServer } from '../../dev/services/temporal-dev-server.js';
import { freePort } from '../../dev/services/free-port.js';

export interface BenchServices {
  postgresUrl: string;
  temporalAddress: string;
  newDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Real Postgres and a real Temporal dev server for benchmarks: BENCH_DATABASE_URL / TEMPORAL_ADDRESS when
 * set, else an embedded Postgres and a dev server with a database file (as `npm start` runs them).
 */
export async function startBenchServices(): Promise<BenchServices> {
  const dir = path.resolve('.data/bench');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  let postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!postgresUrl) {
    // BENCH_STATEMENTS=1: Postgres counts statements (pg_stat_statements), for the statements per test of (a).
    // BENCH_PG_FLAGS: more server settings, e.g. auto_explain's, as space-separated name=value pairs.
    const flags = [
      ...(process.env.BENCH_STATEMENTS ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : []),
      ...(process.env.BENCH_PG_FLAGS?.split(' ').filter(Boolean).flatMap((setting) => ['-c', setting]) ?? []),
    ];
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), flags });
    stops.push(pg.stop);
    postgresUrl = pg.url;
  }
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const temporal = await startTemporalDevServer({ dataDir: path.join(dir, 'temporal'), port: await freePort() });
    stops.push(temporal.stop);
    temporalAddress = temporal.address;
  }
  const serverUrl = postgresUrl;
  return {
    postgresUrl,
    temporalAddress,
    async newDatabase(name) {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.unsafe(`create database "${name}"`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

/** The reference host with the plugin mounted and migrated, served in process (no port). */
export function hostWithPlugin(services: BenchServices, databaseUrl: string) {
  return createReferenceHost<ExperimentsPlugin>({
    databaseUrl,
    baseUrl: 'http://127.0.0.1:1',
    pluginFactory: async (capabilities) => {
      const plugin = createExperimentsPlugin(capabilities, { databaseUrl, temporalAddress: services.temporalAddress });
      await plugin.migrate();
      return plugin;
    },
  });
}
