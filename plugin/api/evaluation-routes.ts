import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { isRunning, type ExperimentStatus } from '../domain/experiment-status.js';
import { parseEvaluations } from '../domain/evaluators/index.js';
import { ExperimentsError } from '../errors.js';
import { nextEvaluationRound } from '../evaluation/reevaluation-repository.js';
import { jsonb } from '../store/jsonb.js';
import { reevaluateWorkflowId } from '../../workflows/shared.js';
import type { reevaluateWorkflow } from '../../workflows/reevaluate-workflow.js';
import { requireUuid } from '../operations/ids.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { isStorable, unstorableMessage, validate } from './validate.js';

const evaluationsBody = z
  .strictObject({ evaluations: z.array(z.unknown()).max(50, 'at most 50 evaluations') })
  .refine(isStorable, { error: unstorableMessage });

/** Experiment-level evaluations (added to every task's own) and re-evaluation of finished runs (DESIGN §7). */
export function evaluationRoutes(context: PluginContext): Hono {
  const { db } = context;
  const app = new Hono();

  const experimentOf = async (projectId: string, id: string) => {
    const experiment = await db
      .selectFrom('experiments')
      .select(['id', 'status', 'default_evaluations'])
      .where('id', '=', requireUuid(id, 'Experiment'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    if (!experiment) throw new ExperimentsError('not_found', `Experiment ${id} was not found.`);
    return experiment;
  };

  app.get('/:id/evaluations', async (c) => {
    const experiment = await experimentOf(c.get('projectId'), c.req.param('id'));
    return c.json({ evaluations: experiment.default_evaluations });
  });

  app.put('/:id/evaluations', validate('json', evaluationsBody), async (c) => {
    const experiment = await experimentOf(c.get('projectId'), c.req.param('id'));
    const evaluations = parseEvaluations(c.req.valid('json').evaluations);
    const status = experiment.status as ExperimentStatus;
    if (status === 'archived') throw new ExperimentsError('conflict', 'The experiment is archived and read-only.');
    if (isRunning(status)) throw new ExperimentsError('conflict', 'A run is going; change the evaluations once it has finished, then re-evaluate.');
    const updated = await db
      .updateTable('experiments')
      .set({ default_evaluations: jsonb(evaluations), updated_at: sql<Date>`now()` })
      .where('id', '=', experiment.id)
      .where('status', '=', experiment.status)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new ExperimentsError('conflict', 'The experiment changed meanwhile; reload it and try again.');
    await db
      .insertInto('experiment_events')
      .values({ experiment_id: experiment.id, actor: c.get('actor'), kind: 'evaluations_changed', details: jsonb({ count: evaluations.length }) })
      .execute();
    return c.json({ evaluations });
  });

  app.post('/:id/runs/:rid/reevaluate', async (c) => {
    const experiment = await experimentOf(c.get('projectId'), c.req.param('id'));
    const runId = requireUuid(c.req.param('rid'), 'Run');
    const run = await db.selectFrom('runs').select(['id', 'status']).where('id', '=', runId).where('experiment_id', '=', experiment.id).executeTakeFirst();
    if (!run) throw new ExperimentsError('not_found', `Run ${runId} was not found in this experiment.`);
    if (run.status === 'pending' || run.status === 'running') throw new ExperimentsError('conflict', 'The run is still going; re-evaluate it once it has finished.');
    const round = await nextEvaluationRound(db, runId);
    try {
      const client = await context.temporal();
      await client.workflow.start<typeof reevaluateWorkflow>('reevaluateWorkflow', {
        taskQueue: context.config.taskQueue,
        workflowId: reevaluateWorkflowId(runId),
        args: [{ runId }],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new ExperimentsError('conflict', 'This run is already being re-evaluated; wait for it to finish.');
      }
      throw new ExperimentsError('unavailable', 'The workflow service is unreachable; nothing was changed. Try again shortly.');
    }
    return c.json({ runId, round, status: 'started' }, 202);
  });

  return app;
}
