import { PlanSlot } from './plan-hint-fragment.js';
import type { VariantView } from '../plugin/operations/experiment-view.js';
import { shippedModelPrices } from '../plugin/domain/model-prices.js';
import { InputField, SelectField, TextAreaField, type FieldErrors } from './form-fields.js';
import { OverrideFields } from './override-fields.js';
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
  /** Models to suggest for `model`; by default the shipped price table's and those the experiment's variants use. */
  knownModels?: readonly string[];
}

/** The shipped price table's models and every model a variant of the experiment already uses. */
function modelsOf(variants: readonly VariantView[]): string[] {
  const used = variants.flatMap((variant) => Object.values(variant.effectiveConfig).map((step) => step.model));
  return [...new Set([...Object.keys(shippedModelPrices), ...used.filter((model): model is string => typeof model === 'string')])].sort();
}

/** A new variant: its parent and its one change (step, parameter, value); posted with htmx, errors beside each field. */
export function BranchForm({ paths, experimentId, variants, steps, values = {}, errors = {}, knownModels }: BranchFormProps) {
  const action = paths.variants(experimentId);
  const parent = variants.find((variant) => variant.id === values.parentId) ?? variants[0]!;
  const valueFieldUrl = `${paths.experiment(experimentId)}/value-field?prefix=branch`;
  // A new parent has other current values: the value field is fetched again with the form's fields.
  const refresh = {
    'hx-get': valueFieldUrl,
    'hx-trigger': 'change',
    'hx-target': '#branch-value-slot',
    'hx-swap': 'outerMorph',
    'hx-sync': 'closest form:replace',
    'hx-include': 'closest form',
  };
  return (
    <form id="branch-form" method="post" action={action} hx-post={action} class="xp-form">
      <div class="xp-grid" {...refresh}>
        <SelectField
          id="branch-parent"
          name="parentId"
          label="Branch from"
          value={parent.id}
          options={variants.map((variant) => [variant.id, variant.name] as const)}
          error={errors.parentId}
        />
      </div>
      <OverrideFields
        idPrefix="branch"
        steps={steps}
        parentConfig={parent.effectiveConfig}
        knownModels={knownModels ?? modelsOf(variants)}
        valueFieldUrl={valueFieldUrl}
        values={values}
        errors={errors}
      />
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
