import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import postgres from 'postgres';
import { startEmbeddedPostgres, type RunningPostgres } from '../../dev/services/embedded-postgres.js';
import { requireTemporalCommand, stopChild, type RunningTemporal } from '../../dev/services/temporal-dev-server.js';

/**
 * A Postgres and a Temporal dev server that belong to one test file, so the file may stop and start
 * them mid-run. Both keep their state on disk (Postgres' data directory, Temporal's database file),
 * so a restart loses nothing that was committed.
 */
export interface ReliabilityServices {
  /** A database of its own on the file's Postgres. */
  databaseUrl: string;
  temporalAddress: string;
  /** Stops Postgres, waits `downMs`, starts it again on the same port and data directory. */
  restartPostgres(downMs: number): Promise<void>;
  /** Stops the Temporal dev server, waits `downMs`, starts it again on the same port and database file. */
  restartTemporal(downMs: number): Promise<void>;
  /** Stops both and removes their data. */
  stop(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A free port below Linux's ephemeral range (32768+). A service restarted on the same port must find it
 * free again; a port the OS hands out (`listen(0)`) may meanwhile be the local end of one of the many
 * short-lived connections the run makes, and then the restart fails with EADDRINUSE.
 */
async function stablePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/**
 * `temporal server start-dev` with a database file, as `dev/services` starts it, but holding on to the
 * process: if this test process exits without stopping it (a hook timed out), it is killed rather than
 * left running. The dev server also picks its internal ports (HTTP API, history, matching…) at random
 * on every start, and now and then one is taken by the time it binds: then it tries again.
 */
async function startTemporal(options: { dataDir: string; port: number }): Promise<RunningTemporal> {
  mkdirSync(options.dataDir, { recursive: true });
  const address = `127.0.0.1:${options.port}`;
  const db = path.join(options.dataDir, 'temporal.db');
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    db,
    '--port',
    String(options.port),
    '--ip',
    '127.0.0.1',
    '--log-level',
    'error',
    '--headless',
  ];
  for (let attempt = 1; ; attempt += 1) {
    const child = spawn(requireTemporalCommand(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const deadline = Date.now() + 60_000;
    while (child.exitCode === null && Date.now() < deadline) {
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1_000 });
        await connection.workflowService.describeNamespace({ namespace: 'default' }).finally(() => connection.close());
        return {
          address,
          async stop() {
            await stopChild(child);
            process.off('exit', killOnExit);
          },
        };
      } catch {
        await pause(250);
      }
    }
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    if (attempt === 3 || !output.includes('address already in use'))
      throw new Error(`temporal server did not start on ${address}: ${output}`);
  }
}

/** Data directories of earlier runs whose process is gone (killed before it could clean up). */
function removeAbandonedData(root: string) {
  for (const name of readdirSync(root, { withFileTypes: true })) {
    const pid = /^reliability-(\d+)$/.exec(name.name)?.[1];
    if (!pid || !name.isDirectory() || Number(pid) === process.pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      rmSync(path.join(root, name.name), { recursive: true, force: true });
    }
  }
}

export async function startReliabilityServices(): Promise<ReliabilityServices> {
  requireTemporalCommand();
  // Per process: vitest runs each file in a fork of its own, and runs elsewhere must not share a directory.
  const dataDir = path.resolve(`.data/reliability-${process.pid}`);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  removeAbandonedData(path.dirname(dataDir));
  rmSync(dataDir, { recursive: true, force: true });
  const pgOptions = { dataDir: path.join(dataDir, 'pg'), port: await stablePort() };
  const temporalOptions = { dataDir: path.join(dataDir, 'temporal'), port: await stablePort() };

  let pg: RunningPostgres | null = null;
  let temporal: RunningTemporal | null = null;
  try {
    pg = await startEmbeddedPostgres(pgOptions);
    temporal = await startTemporal(temporalOptions);
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database reliability').finally(() => admin.end());
  } catch (error) {
    await temporal?.stop();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const url = new URL(pg.url);
  url.pathname = '/reliability';

  return {
    databaseUrl: url.toString(),
    temporalAddress: temporal.address,
    async restartPostgres(downMs) {
      await pg?.stop();
      pg = null;
      await pause(downMs);
      pg = await startEmbeddedPostgres(pgOptions);
    },
    async restartTemporal(downMs) {
      await temporal?.stop();
      temporal = null;
      await pause(downMs);
      temporal = await startTemporal(temporalOptions);
    },
    async stop() {
      await temporal?.stop();
      await pg?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
