import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The same module runs from source (workflows/*.ts, through tsx or vitest) and compiled (dist/workflows/*.js).
const compiled = import.meta.url.endsWith('.js');

/** The workflow bundle's entry module. */
export const workflowsPath = fileURLToPath(new URL(compiled ? './workflows.js' : './workflows.ts', import.meta.url));

/**
 * The workflow bundle `npm run build` writes beside the compiled workflows (dev/build-package.ts). A worker started
 * from the package loads it as it is: no webpack, no TypeScript at run time.
 */
export const prebuiltBundleName = 'workflow-bundle.js';
const prebuiltBundlePath = fileURLToPath(new URL(`./${prebuiltBundleName}`, import.meta.url));

/** The prebuilt bundle when this module is the compiled one and the bundle is there; from source, none. */
export function prebuiltWorkflowBundle(): string | undefined {
  return compiled && existsSync(prebuiltBundlePath) ? prebuiltBundlePath : undefined;
}
