import type { FieldErrors } from './form-fields.js';
import { RunSettingsFields, type RunDefaults, type RunSettingsValues } from './run-settings-fields.js';
import { SetupFrame } from './setup-stepper.js';
import type { ViewPaths } from './view-paths.js';

export interface RunBaselinePageProps {
  paths: ViewPaths;
  experiment: { id: string; name: string; stepCount: number; taskCount: number };
  /** Absent until the baseline configuration has been saved. */
  baselineVariantId: string | null;
  defaults: RunDefaults;
  values?: RunSettingsValues;
  errors?: FieldErrors;
}

/** Step 5: how to run the baseline, then run it. */
export function RunBaselinePage({ paths, experiment, baselineVariantId, defaults, values, errors }: RunBaselinePageProps) {
  const ready = baselineVariantId !== null && experiment.stepCount > 0 && experiment.taskCount > 0;
  return (
    <SetupFrame paths={paths} current="run" experiment={experiment}>
      <p>
        The baseline runs on <strong>{experiment.taskCount}</strong> {experiment.taskCount === 1 ? 'task' : 'tasks'} across{' '}
        <strong>{experiment.stepCount}</strong> inference {experiment.stepCount === 1 ? 'step' : 'steps'}. When it completes, the task set,
        steps and baseline configuration are locked, so every variant is compared on the same ground.
      </p>
      {ready ? (
        <form method="post" action={paths.run(experiment.id, baselineVariantId)} class="xp-form">
          <RunSettingsFields idPrefix="baseline-run" plan={{ paths, experimentId: experiment.id }} defaults={defaults} {...(values ? { values } : {})} {...(errors ? { errors } : {})} />
          <div class="xp-actions">
            <button type="submit" class="xp-button xp-button-primary">
              Run the baseline
            </button>
          </div>
        </form>
      ) : (
        <p class="xp-empty">
          {baselineVariantId === null ? (
            <>
              Save the <a href={paths.setup(experiment.id, 'baseline')}>baseline configuration</a> first.
            </>
          ) : (
            <>
              Select at least one <a href={paths.setup(experiment.id, 'steps')}>inference step</a> and one{' '}
              <a href={paths.setup(experiment.id, 'tasks')}>task</a> first.
            </>
          )}
        </p>
      )}
    </SetupFrame>
  );
}
