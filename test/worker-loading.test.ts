import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/**
 * Imports `modules` in a fresh Node process (through tsx, as the host would run them) and lists which of the
 * Temporal packages it then has loaded. The SDK's packages are CommonJS, so every file of theirs that was loaded
 * is in the module cache.
 */
function temporalPackagesLoadedBy(modules: string[]): string[] {
  const script = `
    import { createRequire } from 'node:module';
    for (const module of ${JSON.stringify(modules)}) await import(module);
    const loaded = Object.keys(createRequire(import.meta.url).cache)
      .map((file) => /node_modules[\\\\/]@temporalio[\\\\/]([^\\\\/]+)/.exec(file)?.[1])
      .filter(Boolean);
    console.log(JSON.stringify([...new Set(loaded)].sort()));`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1)!) as string[];
}

describe('the worker is loaded only where workers run', () => {
  it('importing the plugin (as a host that only mounts the tab does) does not load @temporalio/worker', () => {
    const loaded = temporalPackagesLoadedBy(['./plugin/index.ts']);
    // The client is what the plugin needs to start runs: seeing it shows the check sees what was loaded.
    expect(loaded).toContain('client');
    expect(loaded).not.toContain('worker');
  });

  it('the worker entry does load it (so the check above would notice a static import)', () => {
    expect(temporalPackagesLoadedBy(['./plugin/index.ts', './workflows/worker.ts'])).toContain('worker');
  });
});
