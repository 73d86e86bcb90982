import { rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensurePhoenixInstalled } from '../dev/services/phoenix-install.js';
import { startPhoenixServer, type RunningPhoenix } from '../dev/services/phoenix-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Phoenix server with authentication on, shared by the Phoenix test files. */
    phoenixUrl: string;
    /** A system API key of that server. */
    phoenixApiKey: string;
    /** The virtual environment with Phoenix and the Python demo application's packages. */
    phoenixVenv: string;
  }
}

/**
 * One Phoenix for the whole test run (installed into the project's virtual environment the first time), started
 * only when a test file of the `phoenix` project runs. `PHOENIX_URL` and `PHOENIX_API_KEY` use a running one.
 */
export default async function setup(project: TestProject) {
  const venv = await ensurePhoenixInstalled({ log: (line) => console.log(`[phoenix set-up] ${line}`) });
  project.provide('phoenixVenv', venv.dir);
  if (process.env.PHOENIX_URL) {
    project.provide('phoenixUrl', process.env.PHOENIX_URL);
    project.provide('phoenixApiKey', process.env.PHOENIX_API_KEY ?? '');
    return;
  }
  const workingDir = path.resolve('.data/test', `phoenix-${process.pid}`);
  const started = Date.now();
  const phoenix: RunningPhoenix = await startPhoenixServer({ venv, workingDir, auth: true });
  console.log(`[phoenix set-up] Phoenix ${phoenix.url} answered after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('phoenixUrl', phoenix.url);
  project.provide('phoenixApiKey', phoenix.apiKey ?? '');
  return async () => {
    await phoenix.stop();
    rmSync(workingDir, { recursive: true, force: true });
  };
}
