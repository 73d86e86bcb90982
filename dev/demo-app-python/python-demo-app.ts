import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../services/free-port.js';
import { stopChild } from '../services/temporal-dev-server.js';

export interface PythonDemoAppOptions {
  /** The Python of the Phoenix virtual environment (it holds the app's packages). */
  python: string;
  /** Default: a free port. */
  port?: number;
  phoenixUrl: string;
  phoenixApiKey?: string;
  /** The Phoenix project its traces go to. Default `support-bot`. */
  project?: string;
  /** An OpenAI-compatible endpoint ending in `/v1`, e.g. the simulated chat-completions server. */
  openaiBaseUrl: string;
  openaiApiKey?: string;
  /** The `whsec_…` secret test webhooks are signed with. */
  webhookSecret: string;
  /** `step.parameter` overrides the app pretends not to support. */
  ignoreOverrides?: readonly string[];
}

export interface PythonDemoApp {
  url: string;
  webhookUrl: string;
  /** Stops the app; it sends the spans still waiting first. */
  stop(): Promise<void>;
}

const appDir = import.meta.dirname;

/** Starts the Python demo application (`app.py` under uvicorn) and waits until it answers `/health`. */
export async function startPythonDemoApp(options: PythonDemoAppOptions): Promise<PythonDemoApp> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    options.python,
    ['-m', 'uvicorn', 'app:app', '--app-dir', appDir, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning'],
    {
      cwd: path.resolve(appDir),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PHOENIX_URL: options.phoenixUrl,
        ...(options.phoenixApiKey ? { PHOENIX_API_KEY: options.phoenixApiKey } : {}),
        PHOENIX_PROJECT: options.project ?? 'support-bot',
        OPENAI_BASE_URL: options.openaiBaseUrl,
        OPENAI_API_KEY: options.openaiApiKey ?? 'not-needed',
        WEBHOOK_SECRET: options.webhookSecret,
        DEMO_IGNORE_OVERRIDES: (options.ignoreOverrides ?? []).join(','),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The Python demo app exited (${child.exitCode}):\n${output.trim()}`);
    const healthy = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      await stopChild(child, 2000);
      throw new Error(`The Python demo app did not answer at ${url}/health within 60 s:\n${output.trim()}`);
    }
    await sleep(200);
  }
  return { url, webhookUrl: `${url}/webhook`, stop: () => stopChild(child) };
}
