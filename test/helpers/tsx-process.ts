import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Runs a TypeScript entry point of this repository (`tsx`) in a process of its own and resolves once a line of
 * its standard output matches `ready`, with that match. Rejects with what it wrote to standard error if it
 * exits first.
 */
export async function startTsxProcess(
  script: string,
  options: { env: Record<string, string | undefined>; nodeArgs?: string[]; ready: RegExp },
): Promise<{ child: ChildProcess; ready: RegExpExecArray }> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script], {
    cwd: root,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = options.ready.exec(chunk.toString());
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${errors}`)));
  });
  return { child, ready };
}
