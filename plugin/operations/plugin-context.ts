import type { Client } from '@temporalio/client';
import type { ExperimentsConfig } from '../config.js';
import type { ExperimentsHost, HostPrincipal } from '../host.js';
import type { PluginManifest } from '../manifest.js';
import type { Db } from '../store/connect.js';
import type { EvaluationQueue } from '../evaluation/evaluation-queue.js';
import type { BackgroundWork } from '../traces/background-work.js';
import type { OpenRunCheck } from '../traces/open-run-check.js';
import type { PacedBatches } from '../traces/paced-batches.js';
import type { Candidate } from '../traces/link-spans.js';

/** What every route of the plugin works with. */
export interface PluginContext {
  host: ExperimentsHost;
  db: Db;
  config: ExperimentsConfig;
  temporal: () => Promise<Client>;
  manifest: PluginManifest;
  /** Evaluates linked traces as they arrive (the signed span hook links traces too). */
  evaluationQueue: EvaluationQueue;
  /** Work started for a request that the request does not wait for (late root spans). */
  background: BackgroundWork;
  /** Whether a project has a run in progress (late root spans are looked up only then). */
  openRuns: OpenRunCheck;
  /** Links ingested traces to their tests, paced in batches. */
  links: PacedBatches<Candidate>;
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
