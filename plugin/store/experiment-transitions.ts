import { sql } from 'kysely';
import { nextStatus, type ExperimentEvent, type ExperimentStatus } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import type { Db } from './connect.js';
import { jsonb } from './jsonb.js';

export interface TransitionRequest {
  experimentId: string;
  event: ExperimentEvent;
  actor: string;
  reason?: string;
  details?: Record<string, unknown>;
  /** Extra columns to set in the same guarded update (e.g. locked_at). */
  set?: Record<string, unknown>;
}

/**
 * Moves an experiment through the state machine with a guarded update (`WHERE status = <expected>`),
 * so of two concurrent requests exactly one wins, and records the move in the event log.
 */
export async function transitionExperiment(db: Db, request: TransitionRequest): Promise<{ from: ExperimentStatus; to: ExperimentStatus }> {
  const current = await db.selectFrom('experiments').select('status').where('id', '=', request.experimentId).executeTakeFirst();
  if (!current) throw new ExperimentsError('not_found', `Experiment ${request.experimentId} was not found.`);
  const from = current.status as ExperimentStatus;
  const to = nextStatus(from, request.event);
  const updated = await db
    .updateTable('experiments')
    .set({ ...(request.set ?? {}), status: to, updated_at: sql<Date>`now()` })
    .where('id', '=', request.experimentId)
    .where('status', '=', from)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw new ExperimentsError('conflict', 'The experiment changed while this request was being handled; reload it and try again.');
  }
  if (from !== to) {
    await db
      .insertInto('experiment_events')
      .values({
        experiment_id: request.experimentId,
        actor: request.actor,
        kind: request.event,
        from_status: from,
        to_status: to,
        reason: request.reason ?? null,
        details: request.details ? jsonb(request.details) : null,
      })
      .execute();
  }
  return { from, to };
}
