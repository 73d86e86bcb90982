// What the CLI reads of the plugin's JSON API (DESIGN §8, §9): only the fields it uses, so a server that adds
// fields keeps working with it.

import type { StepConfig } from '../definition/experiment-definition.js';

export type ExperimentStatus =
  | 'draft'
  | 'baseline_pending'
  | 'running_baseline'
  | 'baseline_complete'
  | 'baseline_failed'
  | 'running_variant'
  | 'idle'
  | 'completed'
  | 'archived';

export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/**
 * Whether a run is still under way. Every other status is final, including any a newer server adds (a run stopped
 * early, say), so the command never waits forever on a status it does not know.
 */
export const isOpenRun = (run: { status: string }) => run.status === 'pending' || run.status === 'running';

/** The single change of a variant, as the API stores it. */
export interface ApiOverride {
  step: string;
  parameter: string;
  value: string | number;
}

/** A node of `GET /experiments/:id`'s variant tree. */
export interface ApiVariant {
  id: string;
  parentId: string | null;
  isBaseline: boolean;
  name: string;
  status: string;
  override: ApiOverride | null;
  effectiveConfig: StepConfig;
  createdAt: string;
  children?: ApiVariant[];
}

/** An entry of `GET /experiments`. */
export interface ApiExperimentSummary {
  id: string;
  name: string;
  /** The key a definition finds it by; null when it has none, absent from a server older than keys. */
  key?: string | null;
  status: ExperimentStatus;
  createdAt: string;
}

/** `GET /experiments/:id`. */
export interface ApiExperiment extends ApiExperimentSummary {
  description: string;
  lockedAt: string | null;
  winnerVariantId: string | null;
  baselineConfig: StepConfig;
  stepIds: string[];
  taskIds: string[];
  taskCount: number;
  /**
   * Where the tasks were chosen from on a host with task sources (a Phoenix dataset, some splits), with the version
   * the baseline pinned; null when chosen by id, absent from a server older than task sources.
   */
  taskSource?: { sourceId: string; splits?: string[]; version?: string } | null;
  variants: ApiVariant[];
}

/** An entry of `GET /task-sources`: a collection the host keeps tasks in (Phoenix: a dataset and its splits). */
export interface ApiTaskSource {
  id: string;
  name: string;
  taskCount: number;
  splits?: Array<{ id: string; name: string; taskCount: number }>;
}

/** An entry of `GET /experiments/:id/runs` (newest first). */
export interface ApiRunEntry {
  id: string;
  variantId: string;
  number: number;
  isBaseline: boolean;
  status: RunStatus;
  total: number;
  createdAt: string;
  finishedAt: string | null;
}

/** `GET /experiments/:id/runs/:rid`, and the answer to starting or cancelling a run. */
export interface ApiRun {
  runId: string;
  variantId: string;
  variantName: string;
  number: number;
  isBaseline: boolean;
  status: RunStatus;
  error: string | null;
  counts: {
    total: number;
    pending: number;
    dispatched: number;
    awaitingTrace: number;
    evaluating: number;
    passed: number;
    failed: number;
    errored: number;
    timedOut: number;
    /** Tests never sent (the run was cancelled, stopped early or hit its budget); absent from older servers. */
    notRun?: number;
  };
  progress: { done: number; total: number; testsPerSecond: number | null };
  /**
   * On a host that keeps results of its own (Phoenix): the run's page there once written (`current` when it shows
   * the run's latest results) and the last failure to write it. Absent from older servers.
   */
  hostResults?: { url: string | null; current: boolean; error: string | null };
}

export type Verdict = 'better' | 'worse' | 'no_difference';

/** One variant's entry of `GET /experiments/:id/results`. */
export interface ApiVariantResult {
  variantId: string;
  name: string;
  parentId: string | null;
  isBaseline: boolean;
  change: { step: string; parameter: string; from: string | number | null; to: string | number } | null;
  runId: string | null;
  runNumber: number | null;
  status: RunStatus | null;
  completedAt: string | null;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  passRate: number | null;
  interval: { low: number; high: number } | null;
  vsBaseline: {
    relative: number | null;
    points: number;
    regressions: number;
    improvements: number;
    pValue: number;
    pAdjusted: number;
    verdict: Verdict;
  } | null;
}

/** `GET /experiments/:id/results`. */
export interface ApiResults {
  experimentId: string;
  baselineVariantId: string | null;
  alpha?: number;
  variants: ApiVariantResult[];
}

/** `GET /experiments/:id/export` and `GET /experiments/:id/variants/:vid/config`. */
export interface ApiConfigExport {
  variantId?: string;
  winnerVariantId?: string;
  name: string;
  config: StepConfig;
}

/** Every variant of a tree, parents before children. */
export function flattenVariants(variants: readonly ApiVariant[]): ApiVariant[] {
  return variants.flatMap((variant) => [variant, ...flattenVariants(variant.children ?? [])]);
}
