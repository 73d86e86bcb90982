import type { Hono } from 'hono';
import type { ExperimentsHost, HostPrincipal, HostSpan } from '../../plugin/host.js';
import type { PluginManifest } from '../../plugin/manifest.js';
import type { FailedKeyLimits } from '../../plugin/host-security/index.js';
import type { HostDb } from './host-database.js';

/** What the host needs of a mounted plugin; `createExperimentsPlugin(...)` returns a superset. */
export interface HostPlugin {
  app: Hono<any, any, any>;
  onSpansIngested(projectId: string, spans: HostSpan[]): Promise<void>;
}

/** Where the host reports failures it absorbs (a plugin callback that threw, an unexpected error). */
export type HostLog = (message: string, error?: unknown) => void;

export interface HostAppOptions {
  db: HostDb;
  capabilities: ExperimentsHost;
  /** The plugin to mount, or null to run the host alone (used to measure ingestion without the plugin). */
  plugin: HostPlugin | null;
  manifest: PluginManifest;
  log?: HostLog;
  /**
   * `POST /api/projects` with `authorization: Bearer <adminToken>`. Without a token, creating projects over HTTP is
   * off (404) unless `allowProjectCreation` opens it to anyone (a demo flag, off by default).
   */
  adminToken?: string;
  /** Demo flag: anyone who reaches the port may create projects, no token needed. Default false. */
  allowProjectCreation?: boolean;
  /** Failed API-key attempts per client before 429s (default 20 a minute). */
  failedKeyLimits?: FailedKeyLimits;
  /** CSP `frame-ancestors` of every page (default `'self'`): the sites that may show these pages in a frame. */
  frameAncestors?: string[];
}

/** Hono's typed context of the host: routes behind authentication read `c.get('principal')`. */
export interface HostEnv {
  Variables: { principal: HostPrincipal };
}

export const defaultLog: HostLog = (message, error) => console.error(`[host] ${message}`, error ?? '');
