import { InputField, TextAreaField, type FieldErrors } from './form-fields.js';
import { OverrideFields, type OverrideFieldsProps } from './override-fields.js';
import type { ViewPaths } from './view-paths.js';

export interface EditVariantPageProps {
  paths: ViewPaths;
  experiment: { id: string; name: string };
  variant: { id: string; name: string; hasChildren: boolean };
  values: {
    name?: string | undefined;
    description?: string | undefined;
    step?: string | undefined;
    parameter?: string | undefined;
    value?: string | undefined;
  };
  override: Omit<OverrideFieldsProps, 'values' | 'errors' | 'idPrefix'>;
  errors?: FieldErrors;
}

/** A draft variant's name, expectation and one change, editable until it first runs (issue 18). */
export function EditVariantPage({ paths, experiment, variant, values, override, errors = {} }: EditVariantPageProps) {
  const action = paths.editVariant(experiment.id, variant.id);
  return (
    <section aria-labelledby="edit-variant-heading">
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a> / <a href={paths.experiment(experiment.id)}>{experiment.name}</a>
      </p>
      <h1 id="edit-variant-heading">Edit the draft variant {variant.name}</h1>
      <p class="xp-hint">A draft has never run, so nothing depends on it yet. Once it runs, its change is kept as it ran.</p>
      <form method="post" action={action} class="xp-form">
        <InputField id="edit-name" name="name" label="Variant name" value={values.name} error={errors.name} required />
        <TextAreaField
          id="edit-description"
          name="description"
          label="What you expect (optional)"
          rows={2}
          value={values.description}
          error={errors.description}
        />
        {variant.hasChildren ? (
          <p class="xp-notice">Variants are branched from this one, so its change stays as it is: theirs are built on it.</p>
        ) : (
          <fieldset class="xp-fieldset">
            <legend>Its one change</legend>
            <OverrideFields idPrefix="edit" {...override} values={values} errors={errors} />
          </fieldset>
        )}
        <div class="xp-actions">
          <button type="submit" class="xp-button xp-button-primary">
            Save variant
          </button>
          <a class="xp-button" href={paths.experiment(experiment.id)}>
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
