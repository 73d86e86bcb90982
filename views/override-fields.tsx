import type { ExperimentConfig } from '../plugin/domain/parameters.js';
import { formatParameterValue } from '../plugin/domain/variant-tree.js';
import { FieldNotes, SelectField, type FieldErrors } from './form-fields.js';
import { parameterInputs, type ParameterInput } from './parameter-inputs.js';

export interface OverrideValues {
  step?: string | undefined;
  parameter?: string | undefined;
  value?: string | undefined;
}

export interface OverrideFieldsProps {
  /** Keeps ids unique: `branch`, `edit`. */
  idPrefix: string;
  steps: readonly string[];
  /** The parent's effective configuration, to show the value the change replaces; null when no parent is chosen. */
  parentConfig: ExperimentConfig | null;
  /** Models the project knows (its price table), offered as suggestions for `model`. */
  knownModels: readonly string[];
  /** Where the value field is fetched again (htmx) when the step, parameter or parent changes. */
  valueFieldUrl?: string | undefined;
  values?: OverrideValues;
  errors?: FieldErrors;
}

const inputOf = (parameter: string | undefined): ParameterInput =>
  parameterInputs.find((input) => input.name === parameter) ?? parameterInputs[0]!;

/**
 * The new value, entered the way its parameter is (issue 18): a choice list for verbosity, a multi-line box for a system
 * message, suggestions from the known models for a model, a number field for the numbers; with the parent's current
 * value beside it. Rendered alone as the answer when the step or parameter changes.
 */
export function ValueField({
  idPrefix,
  steps,
  parentConfig,
  knownModels,
  values = {},
  errors = {},
}: Omit<OverrideFieldsProps, 'valueFieldUrl'>) {
  const id = `${idPrefix}-value`;
  const input = inputOf(values.parameter);
  const step = values.step && steps.includes(values.step) ? values.step : steps[0];
  const current = parentConfig && step ? parentConfig[step]?.[input.name] : undefined;
  const error = errors.value ?? errors.override;
  const describedBy = [`${id}-current`, `${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ');
  const common = { id, name: 'value', 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy };
  return (
    <div id={`${id}-slot`} class={`xp-field${error ? ' xp-field-invalid' : ''}`}>
      <label for={id}>New value ({input.label.toLowerCase()})</label>
      {input.kind === 'choice' ? (
        <select {...common}>
          {(input.choices ?? []).map((choice) => (
            <option value={choice} selected={choice === (values.value ?? '')}>
              {choice}
            </option>
          ))}
        </select>
      ) : input.kind === 'textarea' ? (
        <textarea {...common} rows={6}>
          {values.value ?? (typeof current === 'string' ? current : '')}
        </textarea>
      ) : input.kind === 'number' ? (
        <input {...common} type="number" inputmode="decimal" step={input.step} min={input.min} max={input.max} value={values.value} />
      ) : (
        <>
          <input {...common} type="text" list={`${id}-models`} value={values.value} autocomplete="off" />
          <datalist id={`${id}-models`}>
            {knownModels.map((model) => (
              <option value={model}></option>
            ))}
          </datalist>
        </>
      )}
      <p id={`${id}-current`} class="xp-small">
        {parentConfig === null ? (
          'Choose the variant to branch from to see its current value.'
        ) : current === undefined ? (
          <>
            Not set in the parent for <code>{step}</code>: the application uses its own default.
          </>
        ) : input.kind === 'textarea' ? (
          <>Current value in the parent: the text below, to edit.</>
        ) : (
          <>
            Current value in the parent: <code>{formatParameterValue(current as string | number)}</code>
          </>
        )}
      </p>
      <FieldNotes id={id} hint={`${input.label}: ${input.hint}.`} error={error} />
    </div>
  );
}

/** Step, parameter and new value of a variant's one change; the value field follows the parameter chosen. */
export function OverrideFields(props: OverrideFieldsProps) {
  const { idPrefix, steps, valueFieldUrl, values = {}, errors = {} } = props;
  // The value field is fetched again (with the form's fields) when the step or parameter changes. Morphed, not replaced:
  // a value typed meanwhile into a field of the same kind stays; the latest choice wins over an answer still on its way.
  const refresh = valueFieldUrl
    ? {
        'hx-get': valueFieldUrl,
        'hx-trigger': 'change',
        'hx-target': `#${idPrefix}-value-slot`,
        'hx-swap': 'outerMorph',
        'hx-sync': 'closest form:replace',
        'hx-include': 'closest form',
      }
    : {};
  return (
    <div class="xp-grid">
      <div {...refresh}>
        <SelectField
          id={`${idPrefix}-step`}
          name="step"
          label="Inference step"
          value={values.step}
          options={steps.map((step) => [step, step] as const)}
          error={errors.step}
        />
      </div>
      <div {...refresh}>
        <SelectField
          id={`${idPrefix}-parameter`}
          name="parameter"
          label="Parameter"
          value={values.parameter}
          options={parameterInputs.map((parameter) => [parameter.name, `${parameter.label} (${parameter.name})`] as const)}
          error={errors.parameter}
        />
      </div>
      <ValueField {...props} />
    </div>
  );
}
