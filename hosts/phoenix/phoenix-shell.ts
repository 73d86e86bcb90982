import type { Hono } from 'hono';
import type { ExperimentsHost } from '../../plugin/host.js';
import { manifest as pluginManifest, type PluginManifest } from '../../plugin/index.js';
import { createPhoenixClient, type PhoenixClient } from './phoenix-client.js';
import { createPhoenixHost } from './phoenix-host.js';
import { createShellApp, type ShellPlugin } from './shell-app.js';
import { connectShellDatabase, migrateShellDatabase, type ShellSql } from './shell-database.js';

export interface PhoenixShellOptions<P extends ShellPlugin> {
  /** Postgres for the shell's own tables (schema `phoenix_shell`); the plugin may share it. */
  databaseUrl: string;
  phoenix: {
    /** Where the shell reaches Phoenix's REST API. */
    url: string;
    /** A Phoenix API key (a system key) when Phoenix has authentication on. */
    apiKey?: string;
    /** Phoenix as a browser reaches it, for links; default `url`. */
    publicUrl?: string;
  };
  /** Builds the plugin from the host's capabilities; leave out to run the shell alone. */
  pluginFactory?: (host: ExperimentsHost) => P | Promise<P>;
  manifest?: PluginManifest;
  log?: (message: string, error?: unknown) => void;
  /** Failed API-key attempts per client before 429s (default 20 a minute). */
  failedKeyLimits?: { maxFailures: number; windowSeconds: number };
  /** CSP `frame-ancestors` of every page (default `'self'`). */
  frameAncestors?: string[];
}

export interface PhoenixShell<P extends ShellPlugin> {
  app: Hono<any>;
  sql: ShellSql;
  host: ExperimentsHost;
  phoenix: PhoenixClient;
  plugin: P | null;
  close(): Promise<void>;
}

/**
 * The Phoenix shell, ready to serve: its schema migrated, the Phoenix host built, the plugin mounted.
 *
 * @example
 * const shell = await createPhoenixShell({
 *   databaseUrl, phoenix: { url: 'http://127.0.0.1:6006', apiKey },
 *   pluginFactory: async (host) => { const p = createExperimentsPlugin(host, { databaseUrl }); await p.migrate(); return p; },
 * });
 * serve({ fetch: shell.app.fetch, port: 3100 });
 */
export async function createPhoenixShell<P extends ShellPlugin & { close?(): Promise<void> }>(
  options: PhoenixShellOptions<P>,
): Promise<PhoenixShell<P>> {
  const sql = connectShellDatabase(options.databaseUrl);
  try {
    await migrateShellDatabase(sql);
    const manifest = options.manifest ?? pluginManifest;
    const phoenix = createPhoenixClient({
      baseUrl: options.phoenix.url,
      ...(options.phoenix.apiKey ? { apiKey: options.phoenix.apiKey } : {}),
    });
    const phoenixPublicUrl = (options.phoenix.publicUrl ?? options.phoenix.url).replace(/\/+$/, '');
    const host = createPhoenixHost({ sql, phoenix, phoenixPublicUrl, manifest });
    const plugin = options.pluginFactory ? await options.pluginFactory(host) : null;
    const app = createShellApp({
      sql,
      host,
      phoenix,
      phoenixPublicUrl,
      plugin,
      manifest,
      ...(options.log ? { log: options.log } : {}),
      ...(options.failedKeyLimits ? { failedKeyLimits: options.failedKeyLimits } : {}),
      ...(options.frameAncestors ? { frameAncestors: options.frameAncestors } : {}),
    });
    return {
      app,
      sql,
      host,
      phoenix,
      plugin,
      async close() {
        await plugin?.close?.();
        await sql.end({ timeout: 5 });
      },
    };
  } catch (error) {
    await sql.end({ timeout: 5 });
    throw error;
  }
}
