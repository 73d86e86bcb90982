import type { ExperimentConfig, Override } from '../domain/parameters.js';
import { getTaskSource, type ExperimentTaskSource } from '../store/task-source-repository.js';
import {
  applyOverride,
  buildTree,
  describeChange,
  effectiveConfig,
  type ParameterChange,
  type VariantTreeNode,
} from '../domain/variant-tree.js';
import type { PluginContext } from './plugin-context.js';
import type { Db } from '../store/connect.js';
import {
  listExperimentEvents,
  listExperimentSteps,
  listExperimentTaskIds,
  type ExperimentEventRecord,
  type ExperimentRecord,
  type ExperimentScope,
  type ExperimentStep,
  type ExperimentSummary,
  type RunSummary,
} from '../store/experiment-repository.js';
import { listVariants, type VariantRecord } from '../store/variant-repository.js';
import { listQueuedRuns, type QueuedRun } from '../store/run-queue-repository.js';

export type { ExperimentStep };
import type { Caller } from './caller.js';
import { experimentScope, loadExperiment } from './load-experiment.js';

const shownEvents = 50;

/** A variant as shown: its one change against its parent and the config it runs with. */
export interface VariantView {
  id: string;
  parentId: string | null;
  isBaseline: boolean;
  name: string;
  description: string;
  status: string;
  override: Override | null;
  change: ParameterChange | null;
  effectiveConfig: ExperimentConfig;
  createdBy: string | null;
  createdAt: Date;
  /** Where the variant's run waits in the experiment's run queue (1 = next), or null when it is not queued. */
  queued: { entryId: string; position: number } | null;
}

export type VariantViewNode = VariantTreeNode<VariantView>;

/** The fields of an experiment every response shows. */
export interface ExperimentFields {
  id: string;
  name: string;
  /** The key its client finds it by (a definition file's), or null. */
  key: string | null;
  description: string;
  status: ExperimentRecord['status'];
  lockedAt: Date | null;
  completedAt: Date | null;
  archivedAt: Date | null;
  winnerVariantId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An experiment with its steps, tasks, variant tree and latest events. */
export interface ExperimentView extends ExperimentFields {
  baselineConfig: ExperimentConfig;
  defaultEvaluations: Array<Record<string, unknown>>;
  steps: ExperimentStep[];
  stepIds: string[];
  taskIds: string[];
  taskCount: number;
  /** The host's task source the tasks are all of (Phoenix: a dataset and splits), with the version the baseline pinned. */
  taskSource: ExperimentTaskSource | null;
  variants: VariantViewNode[];
  events: ExperimentEventRecord[];
}

/** An experiment as a list shows it. */
export interface ExperimentSummaryView extends ExperimentFields {
  taskCount: number;
  stepIds: string[];
  variantCount: number;
  latestRun: RunSummary | null;
}

/** Every variant with its change and effective config, in the order given; `queue` says which wait to run. */
export function variantViews(variants: readonly VariantRecord[], baselineConfig: ExperimentConfig, queue: readonly QueuedRun[] = []): VariantView[] {
  const queued = new Map(queue.map((entry, index) => [entry.variantId, { entryId: entry.id, position: index + 1 }]));
  const effective = new Map<string, ExperimentConfig>();
  // Listed oldest first, so a parent (which had to exist first) is normally computed before its children.
  const effectiveOf = (id: string) => effective.get(id) ?? effectiveConfig(variants, id, baselineConfig);
  return variants.map((variant) => {
    const parentEffective = variant.parentId === null ? null : effectiveOf(variant.parentId);
    const config =
      parentEffective === null || variant.override === null
        ? effectiveConfig(variants, variant.id, baselineConfig)
        : applyOverride(parentEffective, variant.override);
    effective.set(variant.id, config);
    return {
      id: variant.id,
      parentId: variant.parentId,
      isBaseline: variant.isBaseline,
      name: variant.name,
      description: variant.description,
      status: variant.status,
      override: variant.override,
      change: parentEffective !== null && variant.override !== null ? describeChange(parentEffective, variant.override) : null,
      effectiveConfig: config,
      createdBy: variant.createdBy,
      createdAt: variant.createdAt,
      queued: queued.get(variant.id) ?? null,
    };
  });
}

export function experimentFields(experiment: ExperimentRecord): ExperimentFields {
  return {
    id: experiment.id,
    name: experiment.name,
    key: experiment.key,
    description: experiment.description,
    status: experiment.status,
    lockedAt: experiment.lockedAt,
    completedAt: experiment.completedAt,
    archivedAt: experiment.archivedAt,
    winnerVariantId: experiment.winnerVariantId,
    createdBy: experiment.createdBy,
    createdAt: experiment.createdAt,
    updatedAt: experiment.updatedAt,
  };
}

export function summaryView(summary: ExperimentSummary): ExperimentSummaryView {
  return {
    ...experimentFields(summary),
    taskCount: summary.taskCount,
    stepIds: summary.stepIds,
    variantCount: summary.variantCount,
    latestRun: summary.latestRun,
  };
}

/** The experiment as read inside `db` (a transaction or the pool). */
export async function readExperimentView(db: Db, scope: ExperimentScope): Promise<ExperimentView> {
  const experiment = await loadExperiment(db, scope);
  const [steps, taskIds, variants, events, taskSource, queue] = await Promise.all([
    listExperimentSteps(db, scope),
    listExperimentTaskIds(db, scope),
    listVariants(db, scope),
    listExperimentEvents(db, scope, shownEvents),
    getTaskSource(db, experiment.id),
    listQueuedRuns(db, scope),
  ]);
  return {
    ...experimentFields(experiment),
    baselineConfig: experiment.baselineConfig,
    defaultEvaluations: experiment.defaultEvaluations,
    steps,
    stepIds: steps.map((step) => step.externalId),
    taskIds,
    taskCount: taskIds.length,
    taskSource,
    variants: buildTree(variantViews(variants, experiment.baselineConfig, queue)),
    events,
  };
}

/**
 * One experiment with its steps, task ids, variant tree (each variant with its change and effective config) and
 * its latest events; 404 when it is not one of the caller's project.
 */
export function getExperimentView(context: PluginContext, caller: Caller, experimentId: string | undefined): Promise<ExperimentView> {
  return readExperimentView(context.db, experimentScope(caller, experimentId));
}
