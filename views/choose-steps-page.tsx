import type { HostInferenceStep } from '../plugin/operations/host-catalog.js';
import { FieldNotes } from './form-fields.js';
import { SetupFrame } from './setup-stepper.js';
import type { ViewPaths } from './view-paths.js';

export interface ChooseStepsPageProps {
  paths: ViewPaths;
  experiment: { id: string; name: string };
  steps: HostInferenceStep[];
  selected: ReadonlySet<string>;
  error?: string | undefined;
}

/** Step 2: which inference steps of the pipeline the variants may change. */
export function ChooseStepsPage({ paths, experiment, steps, selected, error }: ChooseStepsPageProps) {
  return (
    <SetupFrame paths={paths} current="steps" experiment={experiment}>
      {steps.length === 0 ? (
        <p class="xp-empty">
          This project has no inference steps yet. Add the named LLM calls of your pipeline (for example <code>classifier</code>) to
          the host first; they are what a variant overrides.
        </p>
      ) : (
        <form method="post" action={paths.setup(experiment.id, 'steps')} class="xp-form">
          <fieldset class={error ? 'xp-field-invalid' : undefined} aria-describedby={error ? 'steps-error' : undefined}>
            <legend>Inference steps in scope</legend>
            <FieldNotes id="steps" hint="Variants may change a parameter of these steps only; every run sends their parameters to your application." error={error} />
            <ul class="xp-checklist">
              {steps.map((step, index) => (
                <li>
                  <input type="checkbox" id={`step-${index}`} name="step" value={step.externalId} checked={selected.has(step.externalId)} />
                  <label for={`step-${index}`}>
                    {step.title} <code>{step.externalId}</code> <span class="xp-muted">{step.type}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <div class="xp-actions">
            <button type="submit" class="xp-button xp-button-primary">
              Save and continue
            </button>
          </div>
        </form>
      )}
    </SetupFrame>
  );
}
