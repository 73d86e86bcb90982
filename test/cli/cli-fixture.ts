import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

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

/** The demo application's baseline, as a definition writes it. */
export const demoBaseline = {
  classifier: { model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 16, verbosity: 'low' },
  response_generator: { model: 'gpt-4o-mini', temperature: 0.7, max_tokens: 300, verbosity: 'medium' },
};
