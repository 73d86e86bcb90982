import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import type { PhoenixVenv } from './phoenix-install.js';
import { stopChild } from './temporal-dev-server.js';

export interface PhoenixServerOptions {
  venv: PhoenixVenv;
  /** Phoenix's SQLite database and files live here (`PHOENIX_WORKING_DIR`); reuse it to keep the data. */
  workingDir: string;
  /** HTTP port (UI, REST API, OTLP/HTTP); a free one when left out. */
  port?: number;
  /** OTLP/gRPC port; a free one when left out (two servers on the default 4317 would clash). */
  grpcPort?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /**
   * Turns Phoenix's authentication on and creates a system API key for the plugin and the application. The
   * secrets and the key are kept in the working directory, so a restart keeps the key valid.
   */
  auth?: boolean;
  /**
   * A Postgres database for Phoenix's data (`PHOENIX_SQL_DATABASE_URL`, e.g. `postgresql://user@host:5432/phoenix`)
   * instead of the SQLite file in `workingDir`.
   */
  databaseUrl?: string;
  /** Lines Phoenix writes, for a caller that wants to show them. */
  log?: (line: string) => void;
  /** Default 180 s: the first start runs Phoenix's migrations, which takes a minute on a busy machine. */
  readyTimeoutMs?: number;
}

export interface RunningPhoenix {
  /** e.g. `http://127.0.0.1:6006` (UI, REST API under `/v1`, OTLP/HTTP at `/v1/traces`). */
  url: string;
  port: number;
  grpcPort: number;
  workingDir: string;
  /** A system API key, sent as `Authorization: Bearer …`; absent when authentication is off. */
  apiKey?: string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s); the working directory is kept. */
  stop(): Promise<void>;
}

interface AuthSecrets {
  /** Signs Phoenix's tokens, API keys included: it must survive restarts. */
  secret: string;
  /** Acts as the system user; used only to mint the system API key. */
  adminSecret: string;
  apiKey?: string;
}

/**
 * Starts `phoenix serve` from `venv` on the given (or free) ports with its data in `workingDir`, waits until it
 * answers, and with `auth` creates a system API key through `POST /v1/system/api_keys`.
 *
 * @example
 * const venv = await ensurePhoenixInstalled();
 * const phoenix = await startPhoenixServer({ venv, workingDir: '.data/phoenix', auth: true });
 * // … phoenix.url, phoenix.apiKey
 * await phoenix.stop();
 */
export async function startPhoenixServer(options: PhoenixServerOptions): Promise<RunningPhoenix> {
  const workingDir = path.resolve(options.workingDir);
  mkdirSync(workingDir, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  let grpcPort = options.grpcPort ?? (await freePort());
  while (grpcPort === port) grpcPort = await freePort();
  const secrets = options.auth ? authSecrets(workingDir) : undefined;

  const env: NodeJS.ProcessEnv = {
    ...withoutPhoenixSettings(process.env),
    PHOENIX_PORT: String(port),
    PHOENIX_GRPC_PORT: String(grpcPort),
    PHOENIX_HOST: host,
    PHOENIX_WORKING_DIR: workingDir,
    PHOENIX_TELEMETRY_ENABLED: 'false',
    PHOENIX_ENABLE_AUTH: secrets ? 'true' : 'false',
    ...(options.databaseUrl ? { PHOENIX_SQL_DATABASE_URL: options.databaseUrl } : {}),
    ...(secrets ? { PHOENIX_SECRET: secrets.secret, PHOENIX_ADMIN_SECRET: secrets.adminSecret } : {}),
  };
  const child = spawn(options.venv.phoenix, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-6000);
    options.log?.(chunk.toString());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  child.once('error', (error) => (output += `\n${error.message}`));

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    await waitUntilReady(url, child, () => output, options.readyTimeoutMs ?? 180_000);
    const apiKey = secrets ? await systemApiKey(url, workingDir, secrets) : undefined;
    return { url, port, grpcPort, workingDir, ...(apiKey ? { apiKey } : {}), stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child, 2000);
    throw error;
  }
}

// A PHOENIX_* setting meant for a client (PHOENIX_API_KEY, PHOENIX_COLLECTOR_ENDPOINT…) or for another server
// (PHOENIX_SQL_DATABASE_URL) must not leak into the server we start.
function withoutPhoenixSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('PHOENIX_')));
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`phoenix serve exited (${child.exitCode ?? child.signalCode}):\n${output().trim()}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`Phoenix did not answer at ${url}/healthz within ${Math.round(timeoutMs / 1000)} s:\n${output().trim()}`);
}

/** Phoenix wants at least 32 characters with a digit and a lower-case letter. */
const newSecret = () => `a1${randomBytes(30).toString('hex')}`;

function authSecrets(workingDir: string): AuthSecrets {
  const file = path.join(workingDir, 'experiments-phoenix-auth.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as AuthSecrets;
  const secrets = { secret: newSecret(), adminSecret: newSecret() };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

/** The kept system API key when Phoenix still accepts it, else a new one (kept for the next start). */
async function systemApiKey(url: string, workingDir: string, secrets: AuthSecrets): Promise<string> {
  if (secrets.apiKey) {
    const check = await fetch(`${url}/v1/projects?limit=1`, { headers: { authorization: `Bearer ${secrets.apiKey}` } });
    if (check.ok) return secrets.apiKey;
  }
  const response = await fetch(`${url}/v1/system/api_keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secrets.adminSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { name: 'experiments-plugin', description: 'Created by the Experiments plugin set-up' } }),
  });
  if (!response.ok) throw new Error(`Creating a Phoenix system API key failed: ${response.status} ${await response.text()}`);
  const created = (await response.json()) as { data: { key: string } };
  const apiKey = created.data.key;
  writeFileSync(path.join(workingDir, 'experiments-phoenix-auth.json'), JSON.stringify({ ...secrets, apiKey }), { mode: 0o600 });
  return apiKey;
}
