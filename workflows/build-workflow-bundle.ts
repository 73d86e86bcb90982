// Bundles the workflow code into one file (`node --import tsx workflows/build-workflow-bundle.ts <out>`), so a
// worker can start from it without loading webpack into its own memory.
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from './workflows-path.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: build-workflow-bundle.ts <output file>');
  process.exit(1);
}
const { code } = await bundleWorkflowCode({ workflowsPath, logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: console.warn, error: console.error } });
writeFileSync(out, code);
