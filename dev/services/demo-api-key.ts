import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The demo project's key: `given` (DEMO_API_KEY), else the one generated on the first start (kept in `dataDir`). */
export function demoApiKey(dataDir: string, given: string | undefined, file = 'demo-api-key'): string {
  if (given) return given;
  const keyFile = path.join(dataDir, file);
  if (existsSync(keyFile)) return readFileSync(keyFile, 'utf8').trim();
  const key = `demo_${randomBytes(18).toString('base64url')}`;
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  return key;
}
