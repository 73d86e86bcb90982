import { isRunning, type ExperimentStatus } from '../plugin/domain/experiment-status.js';
import { InputField, TextAreaField, type FieldErrors } from './form-fields.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';

export interface ExperimentSettingsProps {
  paths: ViewPaths;
  experiment: {
    id: string;
    name: string;
    description: string;
    status: ExperimentStatus;
    defaultEvaluations: Array<Record<string, unknown>>;
  };
  /** What the forms were sent with, shown again when refused. */
  values?: { name?: string | undefined; description?: string | undefined; evaluations?: string | undefined };
  errors?: FieldErrors;
}

/**
 * An experiment's settings after it was created (issue 18): its name and hypothesis, the evaluations every task of its
 * runs gets beside the task's own, and, once archived, bringing it back.
 */
export function ExperimentSettingsPage({ paths, experiment, values = {}, errors = {} }: ExperimentSettingsProps) {
  const archived = experiment.status === 'archived';
  const running = isRunning(experiment.status);
  const evaluationsJson = values.evaluations ?? JSON.stringify(experiment.defaultEvaluations, null, 2);
  return (
    <section aria-labelledby="settings-heading">
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a> / <a href={paths.experiment(experiment.id)}>{experiment.name}</a>
      </p>
      <h1 id="settings-heading">Settings of {experiment.name}</h1>
      <p class="xp-status-line">
        <StatusBadge status={experiment.status} />
      </p>

      {archived ? (
        <div class="xp-notice">
          <p>This experiment is archived and read-only. Unarchive it to change it again; it comes back in the status it had.</p>
          <form method="post" action={paths.unarchive(experiment.id)}>
            <button type="submit" class="xp-button xp-button-primary">
              Unarchive experiment
            </button>
          </form>
        </div>
      ) : null}

      <h2 id="naming-heading">Name and hypothesis</h2>
      <form method="post" action={paths.settings(experiment.id)} class="xp-form" aria-labelledby="naming-heading">
        <fieldset disabled={archived}>
          <InputField id="settings-name" name="name" label="Name" value={values.name ?? experiment.name} error={errors.name} required />
          <TextAreaField
            id="settings-description"
            name="description"
            label="Hypothesis"
            rows={4}
            value={values.description ?? experiment.description}
            error={errors.description}
            hint="What you expect to change, and why. Changing it later is recorded in the experiment's history."
          />
          <div class="xp-actions">
            <button type="submit" class="xp-button xp-button-primary">
              Save name and hypothesis
            </button>
          </div>
        </fieldset>
      </form>

      <h2 id="evaluations-heading">Evaluations</h2>
      <p>
        A test passes when every evaluation passes: each task's own (from the task catalog) and these, which every task of this experiment
        gets. {experiment.defaultEvaluations.length === 0 ? 'None are set now.' : `${experiment.defaultEvaluations.length} are set now:`}
      </p>
      {experiment.defaultEvaluations.length > 0 ? (
        <ul class="xp-evaluation-list">
          {experiment.defaultEvaluations.map((evaluation) => (
            <li>
              <code>{JSON.stringify(evaluation)}</code>
            </li>
          ))}
        </ul>
      ) : null}
      <form method="post" action={paths.evaluations(experiment.id)} class="xp-form" aria-labelledby="evaluations-heading">
        <fieldset disabled={archived || running}>
          <TextAreaField
            id="settings-evaluations"
            name="evaluations"
            label="Experiment evaluations (JSON list)"
            rows={8}
            value={evaluationsJson}
            error={errors.evaluations}
            hint={
              <>
                For example <code>{'[{"type": "contains", "value": "refund"}, {"type": "max_latency_ms", "value": 3000}]'}</code>. They
                apply to runs started from now on; re-evaluate a finished run to apply them to it.
                {running ? ' A run is going: change them once it has finished.' : ''}
              </>
            }
          />
          <div class="xp-actions">
            <button type="submit" class="xp-button xp-button-primary">
              Save evaluations
            </button>
          </div>
        </fieldset>
      </form>
    </section>
  );
}
