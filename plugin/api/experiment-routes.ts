import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { experimentStatuses, isLocked, isRunning, nextStatus, type ExperimentEvent } from '../domain/experiment-status.js';
import { parseBaselineConfig, parseOverride, type ExperimentConfig, type Problem } from '../domain/parameters.js';
import {
  applyOverride,
  buildTree,
  checkOverrideChangesValue,
  describeChange,
  effectiveConfig,
  type ParameterChange,
  type VariantTreeNode,
} from '../domain/variant-tree.js';
import { ExperimentsError, notFound } from '../errors.js';
import type { HostInferenceStep } from '../host.js';
import type { Db } from '../store/connect.js';
import {
  countExperimentTasks,
  createExperiment,
  findExperiment,
  listExperimentEvents,
  listExperiments,
  listExperimentSteps,
  listExperimentTaskIds,
  recordExperimentEdit,
  replaceExperimentSteps,
  replaceExperimentTasks,
  updateExperiment,
  type ExperimentRecord,
  type ExperimentScope,
  type ExperimentSummary,
} from '../store/experiment-repository.js';
import { transitionExperiment } from '../store/experiment-transitions.js';
import { ensureBaselineVariant, findVariant, insertVariant, listVariants, type VariantRecord } from '../store/variant-repository.js';
import { isUuid, requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { validate } from './validate.js';

const maxTasks = 10_000;
const shownEvents = 50;
const shownIds = 10;

// Postgres refuses NUL in text and jsonb, and unpaired surrogates in jsonb: such input must be a 400, not a 500.
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isStorableText = (text: string) => !text.includes('\u0000') && !unpairedSurrogate.test(text);

// Iterative, so a deeply nested body cannot overflow the stack before it is refused.
function isStorable(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === 'string') {
      if (!isStorableText(current)) return false;
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (!isStorableText(key)) return false;
        pending.push(child);
      }
    }
  }
  return true;
}

const storable = <Schema extends z.ZodType>(schema: Schema) =>
  schema.refine(isStorable, { error: 'text must not contain NUL characters or unpaired surrogates' });

const nameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, { error: 'name must not be blank' })
  .max(200, { error: 'name must be at most 200 characters' });
const descriptionSchema = z
  .string({ error: 'description must be a string' })
  .max(10_000, { error: 'description must be at most 10,000 characters' });
const idList = (what: string) =>
  z.array(
    z
      .string({ error: `${what} must be strings` })
      .min(1, { error: `${what} must not be empty` })
      .max(200, { error: `${what} must be at most 200 characters` }),
    {
      error: `${what} must be an array of strings`,
    },
  );

const createSchema = storable(z.strictObject({ name: nameSchema, description: descriptionSchema.optional() }));

const patchSchema = storable(
  z
    .strictObject({
      name: nameSchema.optional(),
      description: descriptionSchema.optional(),
      inferenceSteps: idList('inference step ids').optional(),
      taskIds: idList('task ids').optional(),
    })
    .refine((body) => Object.values(body).some((value) => value !== undefined), {
      error: 'send at least one of name, description, inferenceSteps, taskIds',
    }),
);

// The object itself is handed on (not a copy), so a key such as "__proto__" reaches the domain check and is refused
// there instead of being dropped on the way.
const configObject = (what: string) =>
  z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    error: `${what} must be an object`,
  });

const baselineSchema = storable(z.strictObject({ config: configObject('config') }));

const variantSchema = storable(
  z.strictObject({
    parentId: z.string({ error: 'parentId must be a string' }),
    name: nameSchema,
    description: descriptionSchema.optional(),
    override: configObject('override'),
  }),
);

const completeSchema = z.strictObject({ winnerVariantId: z.string({ error: 'winnerVariantId must be a string' }).optional() });
const emptySchema = z.strictObject({});

const listQuerySchema = z.object({
  status: z.enum(experimentStatuses, { error: `status must be one of ${experimentStatuses.join(', ')}` }).optional(),
  archived: z.enum(['true', 'false'], { error: 'archived must be true or false' }).optional(),
});

const quoteList = (values: readonly string[]) => {
  const shown = values.slice(0, shownIds).map((value) => JSON.stringify(value));
  return values.length > shownIds ? `${shown.join(', ')} and ${values.length - shownIds} more` : shown.join(', ');
};

function refuseArchived(experiment: ExperimentRecord): ExperimentsError {
  const since = experiment.archivedAt ? ` since ${experiment.archivedAt.toISOString()}` : '';
  return new ExperimentsError('conflict', `The experiment is archived${since} and read-only; it can no longer change.`, {
    status: experiment.status,
    archivedAt: experiment.archivedAt,
  });
}

/** Refuses a change of the task set, steps or baseline configuration unless the experiment may still take it. */
function assertConfigurable(experiment: ExperimentRecord, attempt: string): void {
  if (experiment.status === 'archived') throw refuseArchived(experiment);
  if (isLocked(experiment.status)) {
    const since = experiment.lockedAt ? ` since ${experiment.lockedAt.toISOString()}` : '';
    throw new ExperimentsError(
      'locked',
      `${attempt}: the experiment is locked${since}, when its baseline completed; its task set, inference steps and baseline configuration can no longer change. Create a variant to try a change, or a new experiment.`,
      { status: experiment.status, lockedAt: experiment.lockedAt },
    );
  }
  if (isRunning(experiment.status)) {
    throw new ExperimentsError('conflict', `${attempt} while the baseline is running; wait for it to finish or cancel it.`, {
      status: experiment.status,
    });
  }
}

function assertAcceptsVariants(experiment: ExperimentRecord): void {
  if (experiment.status === 'archived') throw refuseArchived(experiment);
  if (experiment.status === 'completed') {
    throw new ExperimentsError('conflict', 'Cannot add a variant: the experiment is completed; it can only be archived.', {
      status: experiment.status,
    });
  }
  if (!isLocked(experiment.status)) {
    throw new ExperimentsError(
      'conflict',
      'Cannot add a variant before the baseline has completed: variants are compared against it. Run the baseline first.',
      { status: experiment.status },
    );
  }
}

// One problem per repetition, so a client can point at each; `ids` names each repeated id once.
function duplicates(ids: readonly string[], field: string, what: string): { ids: string[]; problems: Problem[] } {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  const problems = ids.flatMap((id, index) => {
    if (!seen.has(id)) {
      seen.add(id);
      return [];
    }
    repeated.add(id);
    return [{ path: `${field}.${index}`, message: `${what} ${JSON.stringify(id)} is listed more than once` }];
  });
  return { ids: [...repeated], problems };
}

function refuseProblems(message: string, problems: Problem[]): never {
  throw new ExperimentsError('unprocessable', message, problems);
}

async function resolveSteps(context: PluginContext, projectId: string, ids: readonly string[]): Promise<HostInferenceStep[]> {
  const repeated = duplicates(ids, 'inferenceSteps', 'inference step');
  if (repeated.ids.length > 0)
    refuseProblems(`Each inference step may be selected once; repeated: ${quoteList(repeated.ids)}.`, repeated.problems);
  if (ids.length === 0) return [];
  const catalog = new Map((await context.host.inferenceSteps.list(projectId)).map((step) => [step.externalId, step]));
  const unknown = ids.flatMap((id, index) => (catalog.has(id) ? [] : [{ id, index }]));
  if (unknown.length > 0) {
    const known = [...catalog.keys()];
    refuseProblems(
      `Unknown inference steps: ${quoteList(unknown.map((u) => u.id))}. ${known.length > 0 ? `Steps of this project: ${quoteList(known)}.` : 'This project has no inference steps yet.'}`,
      unknown.map(({ id, index }) => ({
        path: `inferenceSteps.${index}`,
        message: `${JSON.stringify(id)} is not an inference step of this project`,
      })),
    );
  }
  return ids.map((id) => catalog.get(id)!);
}

async function resolveTasks(context: PluginContext, projectId: string, ids: readonly string[]) {
  if (ids.length > maxTasks) {
    refuseProblems(
      `An experiment has at most ${maxTasks.toLocaleString('en-US')} tasks; ${ids.length.toLocaleString('en-US')} were given.`,
      [{ path: 'taskIds', message: `at most ${maxTasks} tasks` }],
    );
  }
  const repeated = duplicates(ids, 'taskIds', 'task');
  if (repeated.ids.length > 0) refuseProblems(`Each task may be selected once; repeated: ${quoteList(repeated.ids)}.`, repeated.problems);
  if (ids.length === 0) return [];
  const found = new Map((await context.host.tasks.getMany(projectId, [...ids])).map((task) => [task.id, task]));
  const unknown = ids.flatMap((id, index) => (found.has(id) ? [] : [{ id, index }]));
  if (unknown.length > 0) {
    refuseProblems(
      `Unknown tasks: ${quoteList(unknown.map((u) => u.id))}; they do not exist in this project.`,
      unknown.map(({ id, index }) => ({ path: `taskIds.${index}`, message: `${JSON.stringify(id)} is not a task of this project` })),
    );
  }
  return ids.map((id) => found.get(id)!);
}

interface VariantView {
  id: string;
  parentId: string | null;
  isBaseline: boolean;
  name: string;
  description: string;
  status: string;
  override: VariantRecord['override'];
  change: ParameterChange | null;
  effectiveConfig: ExperimentConfig;
  createdBy: string | null;
  createdAt: Date;
}

function variantViews(variants: readonly VariantRecord[], baselineConfig: ExperimentConfig): VariantView[] {
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
    };
  });
}

const variantTree = (variants: readonly VariantRecord[], baselineConfig: ExperimentConfig) =>
  buildTree(variantViews(variants, baselineConfig)) satisfies VariantTreeNode<VariantView>[];

function experimentFields(experiment: ExperimentRecord) {
  return {
    id: experiment.id,
    name: experiment.name,
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

function summaryView(summary: ExperimentSummary) {
  return {
    ...experimentFields(summary),
    taskCount: summary.taskCount,
    stepIds: summary.stepIds,
    variantCount: summary.variantCount,
    latestRun: summary.latestRun,
  };
}

async function experimentView(db: Db, scope: ExperimentScope) {
  const experiment = await findExperiment(db, scope);
  if (!experiment) throw notFound('Experiment', scope.experimentId);
  const [steps, taskIds, variants, events] = await Promise.all([
    listExperimentSteps(db, scope),
    listExperimentTaskIds(db, scope),
    listVariants(db, scope),
    listExperimentEvents(db, scope, shownEvents),
  ]);
  return {
    ...experimentFields(experiment),
    baselineConfig: experiment.baselineConfig,
    defaultEvaluations: experiment.defaultEvaluations,
    steps,
    stepIds: steps.map((step) => step.externalId),
    taskIds,
    taskCount: taskIds.length,
    variants: variantTree(variants, experiment.baselineConfig),
    events,
  };
}

const withoutSteps = (config: ExperimentConfig, dropped: readonly string[]): ExperimentConfig =>
  Object.fromEntries(Object.entries(config).filter(([step]) => !dropped.includes(step)));

/**
 * Experiments and their variants (DESIGN §4, §5, §9): every request is scoped to the caller's project, every
 * status change goes through `transitionExperiment` in the same transaction as the data it changes.
 */
export function experimentRoutes(context: PluginContext): Hono {
  const { db } = context;
  const app = new Hono();

  const scopeOf = (projectId: string, id: string | undefined): ExperimentScope => ({
    projectId,
    experimentId: requireUuid(id, 'Experiment'),
  });

  async function existing(scope: ExperimentScope, trx: Db = db, forUpdate = false): Promise<ExperimentRecord> {
    const experiment = await findExperiment(trx, scope, { forUpdate });
    if (!experiment) throw notFound('Experiment', scope.experimentId);
    return experiment;
  }

  app.get('/', validate('query', listQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const experiments = await listExperiments(db, c.get('projectId'), {
      ...(query.status === undefined ? {} : { status: query.status }),
      includeArchived: query.archived === 'true',
    });
    return c.json({ experiments: experiments.map(summaryView) });
  });

  app.post('/', validate('json', createSchema), async (c) => {
    const body = c.req.valid('json');
    const projectId = c.get('projectId');
    const experiment = await db.transaction().execute(async (trx) => {
      const created = await createExperiment(trx, {
        projectId,
        name: body.name,
        description: body.description ?? '',
        createdBy: c.get('actor'),
      });
      await recordExperimentEdit(trx, {
        experimentId: created.id,
        actor: c.get('actor'),
        kind: 'created',
        details: { name: created.name },
      });
      return created;
    });
    return c.json(await experimentView(db, { projectId, experimentId: experiment.id }), 201);
  });

  app.get('/:id', async (c) => {
    return c.json(await experimentView(db, scopeOf(c.get('projectId'), c.req.param('id'))));
  });

  app.patch('/:id', validate('json', patchSchema), async (c) => {
    const scope = scopeOf(c.get('projectId'), c.req.param('id'));
    const body = c.req.valid('json');
    const actor = c.get('actor');
    const changesSelection = body.inferenceSteps !== undefined || body.taskIds !== undefined;
    const attempt = 'Cannot change the task or step selection';

    // Checked before asking the host, so a locked experiment is refused for what it is; checked again under the lock.
    const before = await existing(scope);
    if (before.status === 'archived') throw refuseArchived(before);
    if (changesSelection) assertConfigurable(before, attempt);
    const steps = body.inferenceSteps === undefined ? undefined : await resolveSteps(context, scope.projectId, body.inferenceSteps);
    const tasks = body.taskIds === undefined ? undefined : await resolveTasks(context, scope.projectId, body.taskIds);

    const naming = {
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.description === undefined ? {} : { description: body.description }),
    };
    const changed = (['name', 'description', 'inferenceSteps', 'taskIds'] as const).filter((key) => body[key] !== undefined);

    await db.transaction().execute(async (trx) => {
      const experiment = await existing(scope, trx, true);
      if (experiment.status === 'archived') throw refuseArchived(experiment);
      if (!changesSelection) {
        await updateExperiment(trx, experiment.id, naming);
        await recordExperimentEdit(trx, { experimentId: experiment.id, actor, kind: 'updated', details: { changed } });
        return;
      }
      assertConfigurable(experiment, attempt);

      // A removed step's parameters would otherwise still be sent for a step that is no longer in scope.
      const droppedSteps =
        steps === undefined ? [] : Object.keys(experiment.baselineConfig).filter((step) => !steps.some((s) => s.externalId === step));
      if (steps !== undefined) await replaceExperimentSteps(trx, experiment.id, steps);
      if (tasks !== undefined) await replaceExperimentTasks(trx, experiment.id, tasks);
      const stepCount = steps?.length ?? (await listExperimentSteps(trx, scope)).length;
      const taskCount = tasks?.length ?? (await countExperimentTasks(trx, scope));
      await updateExperiment(trx, experiment.id, {
        ...naming,
        ...(droppedSteps.length === 0 ? {} : { baselineConfig: withoutSteps(experiment.baselineConfig, droppedSteps) }),
      });
      const event: ExperimentEvent = stepCount > 0 && taskCount > 0 ? 'select' : 'clear_selection';
      await transitionExperiment(trx, {
        experimentId: experiment.id,
        event,
        actor,
        reason: `${stepCount} inference step(s) and ${taskCount} task(s) selected`,
        details: { stepCount, taskCount },
      });
      await recordExperimentEdit(trx, {
        experimentId: experiment.id,
        actor,
        kind: 'updated',
        details: { changed, stepCount, taskCount, ...(droppedSteps.length === 0 ? {} : { droppedSteps }) },
      });
    });
    return c.json(await experimentView(db, scope));
  });

  app.put('/:id/baseline', validate('json', baselineSchema), async (c) => {
    const scope = scopeOf(c.get('projectId'), c.req.param('id'));
    const body = c.req.valid('json');
    const actor = c.get('actor');
    await db.transaction().execute(async (trx) => {
      const experiment = await existing(scope, trx, true);
      assertConfigurable(experiment, 'Cannot change the baseline configuration');
      const steps = (await listExperimentSteps(trx, scope)).map((step) => step.externalId);
      const config = parseBaselineConfig(body.config, steps);
      await updateExperiment(trx, experiment.id, { baselineConfig: config });
      const baseline = await ensureBaselineVariant(trx, experiment.id, actor);
      await recordExperimentEdit(trx, {
        experimentId: experiment.id,
        actor,
        kind: 'baseline_configured',
        details: { variantId: baseline.id, config },
      });
    });
    return c.json(await experimentView(db, scope));
  });

  app.post('/:id/variants', validate('json', variantSchema), async (c) => {
    const scope = scopeOf(c.get('projectId'), c.req.param('id'));
    const body = c.req.valid('json');
    const actor = c.get('actor');
    const created = await db.transaction().execute(async (trx) => {
      const experiment = await existing(scope, trx, true);
      assertAcceptsVariants(experiment);
      const variants = await listVariants(trx, scope);
      const parentId = body.parentId.toLowerCase();
      if (!isUuid(parentId) || !variants.some((variant) => variant.id === parentId)) {
        const message = `The parent ${JSON.stringify(body.parentId)} is not a variant of this experiment; use the id of the baseline or of one of its variants.`;
        throw new ExperimentsError('unprocessable', message, [{ path: 'parentId', message }]);
      }
      const steps = (await listExperimentSteps(trx, scope)).map((step) => step.externalId);
      const override = parseOverride(body.override, steps);
      checkOverrideChangesValue(effectiveConfig(variants, parentId, experiment.baselineConfig), override);
      const variant = await insertVariant(trx, {
        experimentId: experiment.id,
        parentId,
        name: body.name,
        ...(body.description === undefined ? {} : { description: body.description }),
        override,
        createdBy: actor,
      });
      await recordExperimentEdit(trx, {
        experimentId: experiment.id,
        actor,
        kind: 'variant_created',
        details: { variantId: variant.id, name: variant.name, override },
      });
      return variantViews([...variants, variant], experiment.baselineConfig).at(-1)!;
    });
    return c.json(created, 201);
  });

  app.get('/:id/variants/:vid/config', async (c) => {
    const scope = scopeOf(c.get('projectId'), c.req.param('id'));
    const variantId = requireUuid(c.req.param('vid'), 'Variant');
    const experiment = await existing(scope);
    const variant = await findVariant(db, scope, variantId);
    if (!variant) throw notFound('Variant', variantId);
    const config = effectiveConfig(await listVariants(db, scope), variant.id, experiment.baselineConfig);
    return c.json({ variantId: variant.id, name: variant.name, config });
  });

  app.post('/:id/complete', validate('json', completeSchema), async (c) => {
    const scope = scopeOf(c.get('projectId'), c.req.param('id'));
    const { winnerVariantId } = c.req.valid('json');
    await db.transaction().execute(async (trx) => {
      const experiment = await existing(scope, trx, true);
      // The status decides first: naming a winner of an experiment that cannot complete is beside the point.
      nextStatus(experiment.status, 'complete');
      let winner: VariantRecord | undefined;
      if (winnerVariantId !== undefined) {
        winner = await findVariant(trx, scope, winnerVariantId);
        if (!winner || winner.status !== 'completed') {
          const message = winner
            ? `The winner must be a variant whose run completed; "${winner.name}" is ${winner.status}.`
            : `The winner ${JSON.stringify(winnerVariantId)} is not a variant of this experiment.`;
          throw new ExperimentsError('unprocessable', message, [{ path: 'winnerVariantId', message }]);
        }
      }
      await transitionExperiment(trx, {
        experimentId: experiment.id,
        event: 'complete',
        actor: c.get('actor'),
        ...(winner ? { reason: `winner: ${winner.name}`, details: { winnerVariantId: winner.id } } : {}),
        set: { completed_at: sql`now()`, winner_variant_id: winner?.id ?? null },
      });
    });
    return c.json(await experimentView(db, scope));
  });

  app.post('/:id/archive', validate('json', emptySchema), async (c) => {
    const scope = scopeOf(c.get('projectId'), c.req.param('id'));
    await db.transaction().execute(async (trx) => {
      const experiment = await existing(scope, trx, true);
      await transitionExperiment(trx, {
        experimentId: experiment.id,
        event: 'archive',
        actor: c.get('actor'),
        set: { archived_at: sql`now()` },
      });
    });
    return c.json(await experimentView(db, scope));
  });

  return app;
}
