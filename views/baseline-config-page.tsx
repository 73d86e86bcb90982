import type { ExperimentConfig } from '../plugin/domain/parameters.js';
import type { ExperimentStep } from '../plugin/operations/experiment-view.js';
import { InputField, SelectField, TextAreaField, type FieldErrors } from './form-fields.js';
import { parameterInputs } from './parameter-inputs.js';
import { SetupFrame } from './setup-stepper.js';
import type { ViewPaths } from './view-paths.js';

export interface BaselineConfigPageProps {
  paths: ViewPaths;
  experiment: { id: string; name: string };
  steps: ExperimentStep[];
  /** What the inputs show: the saved configuration, or what was just sent when it was refused. */
  values: Record<string, Record<string, string>>;
  /** Keyed `<step>.<parameter>`, or `<step>` for a problem with the whole step. */
  errors?: FieldErrors;
  error?: string | undefined;
}

/** The saved configuration as form values. */
export const configValues = (config: ExperimentConfig): Record<string, Record<string, string>> =>
  Object.fromEntries(
    Object.entries(config).map(([step, parameters]) => [
      step,
      Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, String(value)])),
    ]),
  );

/** Step 4: the baseline's parameters for each step in scope; a blank field leaves the application's own default. */
export function BaselineConfigPage({ paths, experiment, steps, values, errors = {}, error }: BaselineConfigPageProps) {
  return (
    <SetupFrame paths={paths} current="baseline" experiment={experiment}>
      <p>
        Usually the configuration your application runs in production. Leave a field blank to keep the application's own default for
        it. Once the baseline has run, this configuration is locked.
      </p>
      {error ? (
        <p class="xp-field-error" role="alert">
          {error}
        </p>
      ) : null}
      {steps.length === 0 ? (
        <p class="xp-empty">
          Select at least one inference step first: <a href={paths.setup(experiment.id, 'steps')}>choose inference steps</a>.
        </p>
      ) : (
        <form method="post" action={paths.setup(experiment.id, 'baseline')} class="xp-form">
          {steps.map((step, stepIndex) => (
            <fieldset class="xp-step-config">
              <legend>
                {step.title} <code>{step.externalId}</code>
              </legend>
              {errors[step.externalId] ? <p class="xp-field-error">{errors[step.externalId]}</p> : null}
              <div class="xp-grid">
                {parameterInputs.map((parameter) => {
                  const id = `config-${stepIndex}-${parameter.name}`;
                  const name = `${step.externalId}.${parameter.name}`;
                  const value = values[step.externalId]?.[parameter.name];
                  const fieldError = errors[name];
                  if (parameter.kind === 'textarea') {
                    return (
                      <div class="xp-grid-wide">
                        <TextAreaField id={id} name={name} label={parameter.label} value={value} error={fieldError} hint={parameter.hint} />
                      </div>
                    );
                  }
                  if (parameter.kind === 'choice') {
                    const options = [['', 'Application default'] as const, ...(parameter.choices ?? []).map((choice) => [choice, choice] as const)];
                    return <SelectField id={id} name={name} label={parameter.label} value={value ?? ''} options={options} error={fieldError} />;
                  }
                  return (
                    <InputField
                      id={id}
                      name={name}
                      label={parameter.label}
                      type={parameter.kind === 'number' ? 'number' : 'text'}
                      step={parameter.step}
                      value={value}
                      error={fieldError}
                      hint={parameter.hint}
                    />
                  );
                })}
              </div>
            </fieldset>
          ))}
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
