import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../dev/services/free-port.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../dev/services/embedded-postgres.js';
import { startTemporalDevServer, type RunningTemporal } from '../dev/services/temporal-dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Postgres server URL; each test file creates its own database on it. */
    postgresUrl: string;
    temporalAddress: string;
  }
}

/** One Postgres and one Temporal dev server for the whole test run, handed to every file. */
export default async function setup(project: TestProject) {
  const tmp = path.resolve('.data/test');
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporal | undefined;

  const postgresUrl = process.env.TEST_DATABASE_URL;
  if (postgresUrl) {
    project.provide('postgresUrl', postgresUrl);
  } else {
    // A server of its own per test run: concurrent runs must not share a data directory.
    postgres = await startEmbeddedPostgres({ dataDir: path.join(tmp, `pg-${process.pid}`), port: await freePort() });
    project.provide('postgresUrl', postgres.url);
  }

  const temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (temporalAddress) {
    project.provide('temporalAddress', temporalAddress);
  } else {
    const dir = path.join(tmp, `temporal-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    temporal = await startTemporalDevServer({ dataDir: dir, port: await freePort() });
    project.provide('temporalAddress', temporal.address);
  }

  return async () => {
    await temporal?.stop();
    await postgres?.stop();
    rmSync(path.join(tmp, `temporal-${process.pid}`), { recursive: true, force: true });
    rmSync(path.join(tmp, `pg-${process.pid}`), { recursive: true, force: true });
  };
}
