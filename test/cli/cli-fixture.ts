import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import { createTasks, startRunStack, type RunStack } from '../helpers/run-stack.js';

export type ScratchFolder = ReturnType<typeof scratchFolder>;

/** A folder of its own for a test file's definitions and the files the CLI writes. */
export function scratchFolder() {
  const dir = mkdtempSync(path.join(tmpdir(), 'experiments-cli-'));
  return {
    dir,
    file: (name: string) => path.join(dir, name),
    write(name: string, content: string | object) {
      const file = path.join(dir, name);
      writeFileSync(file, typeof content === 'string' ? content : stringify(content));
      return file;
    },
    read: (name: string) => readFileSync(path.join(dir, name), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What a CLI test file runs the command against. `stack`, `taskIds` and `env` are set once `beforeAll` has run. */
export interface CliStack {
  /** The whole system over real HTTP (test/helpers/run-stack.ts). */
  stack: RunStack;
  /** The demo tasks, created in the stack's project. */
  taskIds: string[];
  /** The environment the CLI finds the server and the project's key in. */
  env: { EXPERIMENTS_URL: string; EXPERIMENTS_API_KEY: string };
  scratch: ScratchFolder;
}

/** One real stack for the calling test file: started before its tests, closed (scratch folder removed) after them. */
export function useCliStack(): CliStack {
  const cli = { scratch: scratchFolder() } as CliStack;
  beforeAll(async () => {
    cli.stack = await startRunStack();
    cli.taskIds = await createTasks(cli.stack);
    cli.env = { EXPERIMENTS_URL: `${cli.stack.baseUrl}/plugins/experiments`, EXPERIMENTS_API_KEY: cli.stack.apiKey };
  });
  afterAll(async () => {
    await cli.stack?.close();
    cli.scratch.remove();
  });
  return cli;
}

/** The demo application's baseline, as a definition writes it. */
export const demoBaseline = {
  classifier: { model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 16, verbosity: 'low' },
  response_generator: { model: 'gpt-4o-mini', temperature: 0.7, max_tokens: 300, verbosity: 'medium' },
};
