import type { FieldErrors } from './form-fields.js';
import { InputField } from './form-fields.js';
import { PlanSlot } from './plan-hint-fragment.js';
import type { ViewPaths } from './view-paths.js';

/** The defaults and limits a run form shows, from the plugin's configuration. */
export interface RunDefaults {
  concurrency: number;
  maxConcurrency: number;
  traceTimeoutSeconds: number;
}

export interface RunSettingsValues {
  concurrency?: string | undefined;
  repeats?: string | undefined;
  traceTimeoutSeconds?: string | undefined;
}

/** Concurrency, repeats and trace timeout of a run; `idPrefix` keeps ids unique when several forms share a page. */
export function RunSettingsFields({
  idPrefix,
  defaults,
  values = {},
  errors = {},
  plan,
}: {
  idPrefix: string;
  defaults: RunDefaults;
  values?: RunSettingsValues;
  errors?: FieldErrors;
  /** Shows what the run can detect with the repeats chosen (views/plan-hint-fragment.tsx). */
  plan?: { paths: ViewPaths; experimentId: string };
}) {
  return (
    <>
      <div class="xp-grid">
        <InputField
          id={`${idPrefix}-concurrency`}
          name="concurrency"
          label="Concurrency"
          type="number"
          step="1"
          value={values.concurrency ?? String(defaults.concurrency)}
          error={errors.concurrency}
          hint={`Webhook requests in flight to your application at once (1–${defaults.maxConcurrency}).`}
        />
        <InputField
          id={`${idPrefix}-repeats`}
          name="repeats"
          label="Repeats"
          type="number"
          step="1"
          value={values.repeats ?? '1'}
          error={errors.repeats}
          hint="Runs of each task (1–20); more repeats show how consistent a configuration is."
        />
        <InputField
          id={`${idPrefix}-timeout`}
          name="traceTimeoutSeconds"
          label="Trace timeout (seconds)"
          type="number"
          step="1"
          value={values.traceTimeoutSeconds ?? String(defaults.traceTimeoutSeconds)}
          error={errors.traceTimeoutSeconds}
          hint="How long to wait for a test's trace before counting it as timed out."
        />
      </div>
      {plan ? <PlanSlot paths={plan.paths} experimentId={plan.experimentId} /> : null}
    </>
  );
}
