import { Hono } from 'hono';
import { z } from 'zod';
import { ExperimentsError } from '../errors.js';
import { createRun, prepareRetry } from '../store/run-creation.js';
import { getRunProgress, listRuns } from '../store/run-queries.js';
import { requireUuid } from './ids.js';
import type { PluginContext } from './plugin-context.js';
import { cancelRunWorkflow, startRunWorkflow } from './run-workflow-client.js';
import { validate } from './validate.js';

/** Starting, watching, cancelling and retrying runs (DESIGN §6, §9). */
export function runRoutes(context: PluginContext): Hono {
  const { db, config, host } = context;
  const app = new Hono();

  const startSchema = z.strictObject({
    concurrency: z.number().int().min(1).max(config.maxConcurrency, `concurrency is at most ${config.maxConcurrency} here`).optional(),
    repeats: z.number().int().min(1).max(20).optional(),
    traceTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
    taskRule: z.enum(['all', 'majority', 'any']).optional(),
  });

  app.post('/:id/variants/:vid/runs', validate('json', startSchema), async (c) => {
    const experimentId = requireUuid(c.req.param('id'), 'Experiment');
    const variantId = requireUuid(c.req.param('vid'), 'Variant');
    const body = c.req.valid('json');
    const projectId = c.get('projectId');
    const variant = await db
      .selectFrom('variants')
      .innerJoin('experiments', 'experiments.id', 'variants.experiment_id')
      .select(['variants.is_baseline'])
      .where('variants.id', '=', variantId)
      .where('variants.experiment_id', '=', experimentId)
      .where('experiments.project_id', '=', projectId)
      .executeTakeFirst();
    if (!variant) throw new ExperimentsError('not_found', `Variant ${variantId} was not found in this experiment.`);
    let tasks = null;
    if (variant.is_baseline) {
      const ids = (await db.selectFrom('experiment_tasks').select('task_id').where('experiment_id', '=', experimentId).execute()).map((r) => r.task_id);
      tasks = ids.length > 0 ? await host.tasks.getMany(projectId, ids) : [];
    }
    const run = await createRun(db, {
      projectId,
      experimentId,
      variantId,
      actor: c.get('actor'),
      tasks,
      settings: {
        concurrency: body.concurrency ?? Math.min(config.defaultConcurrency, config.maxConcurrency),
        repeats: body.repeats ?? 1,
        traceTimeoutSeconds: body.traceTimeoutSeconds ?? config.defaultTraceTimeoutSeconds,
        taskRule: body.taskRule ?? 'all',
      },
    });
    await startRunWorkflow(context, run.runId, run.workflowId, c.get('actor'));
    return c.json(await getRunProgress(db, projectId, experimentId, run.runId), 202);
  });

  app.get('/:id/runs', async (c) => {
    const experimentId = requireUuid(c.req.param('id'), 'Experiment');
    const exists = await db.selectFrom('experiments').select('id').where('id', '=', experimentId).where('project_id', '=', c.get('projectId')).executeTakeFirst();
    if (!exists) throw new ExperimentsError('not_found', `Experiment ${experimentId} was not found.`);
    return c.json({ runs: await listRuns(db, c.get('projectId'), experimentId) });
  });

  app.get('/:id/runs/:rid', async (c) => {
    const experimentId = requireUuid(c.req.param('id'), 'Experiment');
    const runId = requireUuid(c.req.param('rid'), 'Run');
    return c.json(await getRunProgress(db, c.get('projectId'), experimentId, runId));
  });

  app.post('/:id/runs/:rid/cancel', async (c) => {
    const experimentId = requireUuid(c.req.param('id'), 'Experiment');
    const runId = requireUuid(c.req.param('rid'), 'Run');
    const run = await getRunProgress(db, c.get('projectId'), experimentId, runId);
    if (run.status !== 'pending' && run.status !== 'running') {
      throw new ExperimentsError('conflict', `The run has already ended (${run.status}); there is nothing to cancel.`);
    }
    await cancelRunWorkflow(context, runId, run.workflowId, c.get('actor'));
    return c.json({ ...(await getRunProgress(db, c.get('projectId'), experimentId, runId)), cancelRequested: true }, 202);
  });

  app.post('/:id/runs/:rid/retry', async (c) => {
    const experimentId = requireUuid(c.req.param('id'), 'Experiment');
    const runId = requireUuid(c.req.param('rid'), 'Run');
    const retry = await prepareRetry(db, { projectId: c.get('projectId'), experimentId, runId, actor: c.get('actor') });
    await startRunWorkflow(context, runId, retry.workflowId, c.get('actor'));
    return c.json({ ...(await getRunProgress(db, c.get('projectId'), experimentId, runId)), retried: retry.retried }, 202);
  });

  return app;
}
