import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The Phoenix release the project is built and tested against. */
export const phoenixVersion = '20.26.1';

const projectRoot = path.resolve(import.meta.dirname, '../..');

/** Where the project keeps its own Phoenix virtual environment unless `PHOENIX_VENV` names another. */
export const defaultPhoenixVenv = path.join(projectRoot, '.tools', 'phoenix-venv');

const demoRequirementsFile = path.join(projectRoot, 'dev', 'demo-app-python', 'requirements.txt');

/** A virtual environment holding Phoenix and the Python demo application's packages. */
export interface PhoenixVenv {
  dir: string;
  python: string;
  /** The `phoenix` command of that environment. */
  phoenix: string;
}

/**
 * Finds or makes the virtual environment with Phoenix and the Python demo application's packages, installing what
 * is missing from PyPI (the first time: about a minute and 850 MB). `PHOENIX_VENV` reuses an existing environment;
 * missing packages are added to it.
 *
 * @example
 * const venv = await ensurePhoenixInstalled({ log: console.log });
 * const phoenix = await startPhoenixServer({ venv, workingDir: '.data/phoenix' });
 */
export async function ensurePhoenixInstalled(options: { dir?: string; log?: (line: string) => void } = {}): Promise<PhoenixVenv> {
  const dir = path.resolve(options.dir ?? (process.env.PHOENIX_VENV || defaultPhoenixVenv));
  const venv = venvAt(dir);
  const log = options.log ?? (() => {});
  if (missingPackages(venv).length === 0) return venv;

  return withInstallLock(dir, async () => {
    // Another process may have finished the install while we waited for the lock.
    const missing = existsSync(venv.python) ? missingPackages(venv) : allRequirements();
    if (missing.length === 0) return venv;
    if (!existsSync(venv.python)) {
      const python = findPython();
      log(`Creating a Python virtual environment in ${dir}…`);
      mkdirSync(path.dirname(dir), { recursive: true });
      await run(python, ['-m', 'venv', dir], 'creating the virtual environment');
    }
    log(`Installing ${missing.join(', ')} from PyPI into ${dir} (the first time takes about a minute)…`);
    await run(venv.python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...missing], 'pip install');
    const still = missingPackages(venv);
    if (still.length > 0) throw new Error(`After pip install, ${dir} still lacks ${still.join(', ')}.`);
    return venv;
  });
}

function venvAt(dir: string): PhoenixVenv {
  return { dir, python: path.join(dir, 'bin', 'python'), phoenix: path.join(dir, 'bin', 'phoenix') };
}

/** Phoenix's driver for a Postgres database (`PHOENIX_SQL_DATABASE_URL`), Phoenix's `pg` extra; SQLite needs none. */
const postgresDriver = 'asyncpg==0.32.0';

/** `name==version` of everything the environment needs: Phoenix and its Postgres driver, then the demo application's pins. */
function allRequirements(): string[] {
  const demo = readFileSync(demoRequirementsFile, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
  return [`arize-phoenix==${phoenixVersion}`, postgresDriver, ...demo];
}

/**
 * The requirements the environment does not satisfy. Phoenix must be the pinned release; for the demo
 * application's packages any installed version will do, so a team's own environment is not churned.
 */
function missingPackages(venv: PhoenixVenv): string[] {
  const wanted = allRequirements();
  if (!existsSync(venv.python)) return wanted;
  const names = wanted.map((requirement) => requirement.split('==')[0]!);
  const script =
    'import json, sys, importlib.metadata as m\n' +
    'def version(name):\n' +
    '    try:\n' +
    '        return m.version(name)\n' +
    '    except m.PackageNotFoundError:\n' +
    '        return None\n' +
    'print(json.dumps({name: version(name) for name in json.loads(sys.argv[1])}))';
  const result = spawnSync(venv.python, ['-c', script, JSON.stringify(names)], { encoding: 'utf8' });
  if (result.status !== 0) return wanted;
  const installed = JSON.parse(result.stdout) as Record<string, string | null>;
  return wanted.filter((requirement) => {
    const [name, version] = requirement.split('==') as [string, string];
    const found = installed[name];
    return name === 'arize-phoenix' ? found !== version : !found;
  });
}

/** A Python ≥ 3.11 (Phoenix's floor): `PHOENIX_PYTHON`, else `python3` on PATH. */
function findPython(): string {
  const candidates = [process.env.PHOENIX_PYTHON, 'python3', 'python3.13', 'python3.12', 'python3.11'].filter((name): name is string =>
    Boolean(name),
  );
  for (const candidate of candidates) {
    const result = spawnSync(candidate, ['-c', 'import sys, venv; print(sys.version_info >= (3, 11))'], { encoding: 'utf8' });
    if (result.status === 0 && result.stdout.trim() === 'True') return candidate;
  }
  throw new Error(
    'Phoenix needs Python 3.11 or newer with the venv module, and none was found (tried PHOENIX_PYTHON, python3). ' +
      'Install one (Debian: apt-get install python3 python3-venv), or set PHOENIX_VENV to an environment with ' +
      `arize-phoenix==${phoenixVersion}, or PHOENIX_URL to a running Phoenix.`,
  );
}

function run(command: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => reject(new Error(`${what} could not start: ${error.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit code ${code}):\n${output.trim()}`))));
  });
}

/**
 * Runs `work` holding a lock beside the environment, so a test run and `npm run start:phoenix` started together do
 * not install into the same folder at once. A lock older than 15 minutes is taken to be left by a killed install.
 */
async function withInstallLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = lockAge(lock);
      if (age !== undefined && age > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`Waited 20 minutes for another Phoenix install (${lock}).`);
      else await sleep(1000);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAge(lock: string): number | undefined {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return undefined;
  }
}
