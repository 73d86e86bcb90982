// `npm run build`: what the package ships, in dist/. The TypeScript of plugin/, workflows/, views/, migrations/ and
// cli/ compiled to ESM with declarations and source maps (tsconfig.build.json), the manifest and its schema beside
// it (so `../plugin.manifest.json` resolves from dist/plugin/ as it does from plugin/), and the Temporal workflow
// bundle, so a worker started from the package needs neither webpack at start nor any TypeScript tooling.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { prebuiltBundleName } from '../workflows/workflows-path.js';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// The manifest names modules relative to itself: in dist they are the compiled .js files.
const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.manifest.json'), 'utf8'));
const compiled = (file: string) => file.replace(/\.tsx?$/, '.js');
manifest.entry = compiled(manifest.entry);
manifest.temporal.workflows = compiled(manifest.temporal.workflows);
writeFileSync(path.join(dist, 'plugin.manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(path.join(dist, 'plugin.manifest.schema.json'), readFileSync(path.join(root, 'plugin.manifest.schema.json')));

// The bin must be executable once installed (npm sets the mode too; a direct `./dist/cli/experiments.js` needs it).
chmodSync(path.join(dist, 'cli', 'experiments.js'), 0o755);

const quiet = { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: console.warn, error: console.error };
const { code } = await bundleWorkflowCode({ workflowsPath: path.join(dist, 'workflows', 'workflows.js'), logger: quiet });
writeFileSync(path.join(dist, 'workflows', prebuiltBundleName), code);
console.log(`build: dist/ written (workflow bundle ${(code.length / 1024).toFixed(0)} KiB)`);
