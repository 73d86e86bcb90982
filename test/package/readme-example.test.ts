import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe("the README's mounting example", () => {
  it('is docs/examples/minimal-host.mjs, the file the package test runs, word for word', () => {
    const section = read('README.md').split('## Mounting the plugin in a host')[1]!.split('\n## ')[0]!;
    const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks).toEqual([read('docs/examples/minimal-host.mjs')]);
  });

  it('imports the plugin by its package name', () => {
    const example = read('docs/examples/minimal-host.mjs');
    expect(example).toContain(`from '${JSON.parse(read('package.json')).name}'`);
    expect(example).not.toMatch(/from '\.{1,2}\//);
  });
});
