import { PlanSlot } from './plan-hint-fragment.js';
import type { VariantView } from '../plugin/operations/experiment-view.js';
import { InputField, SelectField, TextAreaField, type FieldErrors } from './form-fields.js';
import { parameterInputs } from './parameter-inputs.js';
import type { ViewPaths } from './view-paths.js';

/** What the branch form was sent with, shown again when it is refused. */
export interface BranchValues {
  parentId?: string | undefined;
  step?: string | undefined;
  parameter?: string | undefined;
  value?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
}

export interface BranchFormProps {
  paths: ViewPaths;
  experimentId: string;
  variants: VariantView[];
  steps: string[];
  values?: BranchValues;
  errors?: FieldErrors;
}

/** A new variant: its parent and its one change (step, parameter, value); posted with htmx, errors beside each field. */
export function BranchForm({ paths, experimentId, variants, steps, values = {}, errors = {} }: BranchFormProps) {
  const action = paths.variants(experimentId);
  return (
    <form id="branch-form" method="post" action={action} hx-post={action} class="xp-form">
      <div class="xp-grid">
        <SelectField
          id="branch-parent"
          name="parentId"
          label="Branch from"
          value={values.parentId}
          options={variants.map((variant) => [variant.id, variant.name] as const)}
          error={errors.parentId}
        />
        <SelectField
          id="branch-step"
          name="step"
          label="Inference step"
          value={values.step}
          options={steps.map((step) => [step, step] as const)}
          error={errors.step}
        />
        <SelectField
          id="branch-parameter"
          name="parameter"
          label="Parameter"
          value={values.parameter}
          options={parameterInputs.map((parameter) => [parameter.name, `${parameter.label} (${parameter.name})`] as const)}
          error={errors.parameter}
        />
        <InputField
          id="branch-value"
          name="value"
          label="New value"
          value={values.value}
          error={errors.value ?? errors.override}
          hint="A number for temperature, top_p and max_tokens; low, medium or high for verbosity; text for model and system."
        />
      </div>
      <InputField
        id="branch-name"
        name="name"
        label="Variant name (optional)"
        value={values.name}
        error={errors.name}
        hint="Left blank, the change itself names the variant."
      />
      <TextAreaField
        id="branch-description"
        name="description"
        label="What you expect (optional)"
        rows={2}
        value={values.description}
        error={errors.description}
      />
      <PlanSlot paths={paths} experimentId={experimentId} variants={variants.filter((variant) => !variant.isBaseline).length + 1} />
      <div class="xp-actions">
        <button type="submit" class="xp-button xp-button-primary">
          Create variant
        </button>
      </div>
    </form>
  );
}
