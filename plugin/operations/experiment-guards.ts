import { isLocked, isRunning } from '../domain/experiment-status.js';
import { ExperimentsError } from '../errors.js';
import type { ExperimentRecord } from '../store/experiment-repository.js';

/** The refusal of any change to an archived experiment. */
export function refuseArchived(experiment: ExperimentRecord): ExperimentsError {
  const since = experiment.archivedAt ? ` since ${experiment.archivedAt.toISOString()}` : '';
  return new ExperimentsError('conflict', `The experiment is archived${since} and read-only; it can no longer change.`, {
    status: experiment.status,
    archivedAt: experiment.archivedAt,
  });
}

/** Refuses a change of the task set, steps or baseline configuration unless the experiment may still take it. */
export function assertConfigurable(experiment: ExperimentRecord, attempt: string): void {
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

/** Refuses a new variant unless the baseline has completed and the experiment is still open. */
export function assertAcceptsVariants(experiment: ExperimentRecord): void {
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

/** Refuses a change of the experiment-level evaluations while a run is going or once archived. */
export function assertEvaluationsEditable(experiment: ExperimentRecord): void {
  if (experiment.status === 'archived') throw new ExperimentsError('conflict', 'The experiment is archived and read-only.');
  if (isRunning(experiment.status)) {
    throw new ExperimentsError('conflict', 'A run is going; change the evaluations once it has finished, then re-evaluate.');
  }
}
