import { readFileSync } from 'node:fs';

/** The parts of `plugin.manifest.json` the code reads. */
export interface PluginManifest {
  id: string;
  name: string;
  version: string;
  hostVersion: string;
  mountPath: string;
  tab: { label: string; icon: string; path: string; role: 'viewer' | 'member' | 'admin' };
  capabilities: string[];
  migrations: { folder: string; schema: string };
  temporal: { taskQueue: string; workflows: string };
  trace: { testIdAttribute: string; hookPath?: string };
}

export const manifestUrl = new URL('../plugin.manifest.json', import.meta.url);

export const manifest: PluginManifest = JSON.parse(readFileSync(manifestUrl, 'utf8')) as PluginManifest;
