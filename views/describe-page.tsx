import type { FieldErrors } from './form-fields.js';
import { InputField, TextAreaField } from './form-fields.js';
import { SetupFrame } from './setup-stepper.js';
import type { ViewPaths } from './view-paths.js';

export interface DescribePageProps {
  paths: ViewPaths;
  /** Absent for a new experiment. */
  experiment?: { id: string; name: string };
  values: { name?: string | undefined; description?: string | undefined };
  errors?: FieldErrors;
}

/** Step 1: the experiment's name and the hypothesis it tests. */
export function DescribePage({ paths, experiment, values, errors = {} }: DescribePageProps) {
  return (
    <SetupFrame paths={paths} current="describe" {...(experiment ? { experiment } : {})}>
      <form method="post" action={experiment ? paths.setup(experiment.id, 'describe') : paths.create} class="xp-form">
        <InputField id="experiment-name" name="name" label="Name" value={values.name} error={errors.name} required />
        <TextAreaField
          id="experiment-description"
          name="description"
          label="Hypothesis"
          rows={4}
          value={values.description}
          error={errors.description}
          hint="What do you expect to change, and why? For example: a lower temperature on the classifier will make its labels more consistent."
        />
        <div class="xp-actions">
          <button type="submit" class="xp-button xp-button-primary">
            {experiment ? 'Save and continue' : 'Create and continue'}
          </button>
        </div>
      </form>
    </SetupFrame>
  );
}
