import type { Client } from '@temporalio/client';
import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost, HostPrincipal } from '../host.js';
import type { PluginManifest } from '../manifest.js';
import type { Db } from '../store/connect.js';
import type { ArrivalSignaller } from '../traces/arrival-signals.js';

/** What every route of the plugin works with. */
export interface PluginContext {
  host: ExperimentsHost;
  db: Db;
  config: ExperimentsConfig;
  temporal: () => Promise<Client>;
  manifest: PluginManifest;
  /** Tells runs about linked traces (the signed span hook links traces too). */
  signaller: ArrivalSignaller;
}

declare module 'hono' {
  interface ContextVariableMap {
    principal: HostPrincipal;
    /** The caller's project; every query is scoped to it. */
    projectId: string;
    /** Who did it, for the event log. */
    actor: string;
  }
}
