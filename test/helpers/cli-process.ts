import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'cli/bin/experiments.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The `experiments` command as a user runs it: its `bin`, in a process of its own, with only the given env. */
export interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once standard error (progress, messages) matches. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
}

export function startCli(args: readonly string[], env: Record<string, string | undefined>, cwd = root): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const watcher of [...watchers]) watcher();
  });
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
    waitForStderr(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} on the CLI's stderr within ${timeoutMs} ms:\n${stderr}`)),
          timeoutMs,
        );
        const check = () => {
          if (!pattern.test(stderr)) return;
          clearTimeout(timer);
          watchers.splice(watchers.indexOf(check), 1);
          resolve();
        };
        watchers.push(check);
        void done.then(() => {
          if (!pattern.test(stderr)) {
            clearTimeout(timer);
            reject(new Error(`the CLI exited before ${pattern} appeared:\n${stderr}`));
          }
        });
        check();
      });
    },
  };
}

/** Runs the command to its end. */
export function runCli(args: readonly string[], env: Record<string, string | undefined>, cwd = root): Promise<CliResult> {
  return startCli(args, env, cwd).done;
}
