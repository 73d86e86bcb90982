import type { Hono } from 'hono';
import type { ExperimentsHost } from '../../plugin/host.js';
import { manifest as pluginManifest, type PluginManifest } from '../../plugin/manifest.js';
import { createHostApp } from './host-app.js';
import { createHostCapabilities } from './host-capabilities.js';
import { connectHostDatabase, migrateHostDatabase, type HostDb } from './host-database.js';
import type { HostAppOptions, HostEnv, HostLog, HostPlugin } from './host-env.js';

export interface ReferenceHostOptions<P extends HostPlugin> {
  databaseUrl: string;
  /** Where the host is reached, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** Builds the plugin from the host's capabilities; leave out to run the host alone. */
  pluginFactory?: (capabilities: ExperimentsHost) => P | Promise<P>;
  /** Defaults to the Experiments plugin's `plugin.manifest.json`. */
  manifest?: PluginManifest;
  log?: HostLog;
  allowProjectCreation?: boolean;
  adminToken?: string;
  failedKeyLimits?: HostAppOptions['failedKeyLimits'];
  frameAncestors?: string[];
}

export interface ReferenceHost<P extends HostPlugin> {
  app: Hono<HostEnv>;
  db: HostDb;
  capabilities: ExperimentsHost;
  plugin: P | null;
  /** Closes the plugin (when it has `close()`) and the host's database pool. */
  close(): Promise<void>;
}

/**
 * The reference host, ready to serve: connected, host schema migrated, plugin built and mounted.
 *
 * @example
 * const host = await createReferenceHost({
 *   databaseUrl, baseUrl: 'http://localhost:3000',
 *   pluginFactory: async (capabilities) => {
 *     const plugin = createExperimentsPlugin(capabilities, { databaseUrl });
 *     await plugin.migrate();
 *     return plugin;
 *   },
 * });
 * serve({ fetch: host.app.fetch, port: 3000 });
 */
export async function createReferenceHost<P extends HostPlugin & { close?(): Promise<void> }>(
  options: ReferenceHostOptions<P>,
): Promise<ReferenceHost<P>> {
  const db = connectHostDatabase({ url: options.databaseUrl });
  try {
    await migrateHostDatabase(db);
    const manifest = options.manifest ?? pluginManifest;
    const capabilities = createHostCapabilities(db, { baseUrl: options.baseUrl, manifest });
    const plugin = options.pluginFactory ? await options.pluginFactory(capabilities) : null;
    const app = createHostApp({
      db,
      capabilities,
      plugin,
      manifest,
      ...(options.log ? { log: options.log } : {}),
      ...(options.allowProjectCreation === undefined ? {} : { allowProjectCreation: options.allowProjectCreation }),
      ...(options.adminToken ? { adminToken: options.adminToken } : {}),
      ...(options.failedKeyLimits ? { failedKeyLimits: options.failedKeyLimits } : {}),
      ...(options.frameAncestors ? { frameAncestors: options.frameAncestors } : {}),
    });
    return {
      app,
      db,
      capabilities,
      plugin,
      async close() {
        await plugin?.close?.();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
