import type { FieldErrors } from './form-fields.js';
import { FieldNotes, InputField } from './form-fields.js';
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
  maxCostUsd?: string | undefined;
  maxTokens?: string | undefined;
  stopWhenDecided?: boolean | undefined;
}

/**
 * Concurrency, repeats, trace timeout and spend cap of a run, and for a variant whether to stop once decided;
 * `idPrefix` keeps ids unique when several forms share a page.
 */
export function RunSettingsFields({
  idPrefix,
  defaults,
  values = {},
  errors = {},
  plan,
  comparesWithBaseline = false,
}: {
  idPrefix: string;
  defaults: RunDefaults;
  values?: RunSettingsValues;
  errors?: FieldErrors;
  /** Shows what the run can detect with the repeats chosen (views/plan-hint-fragment.tsx). */
  plan?: { paths: ViewPaths; experimentId: string };
  /** A variant's run: it may stop once its verdict against the baseline is decided. */
  comparesWithBaseline?: boolean;
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
        <InputField
          id={`${idPrefix}-max-cost`}
          name="maxCostUsd"
          label="Spend cap (US dollars)"
          type="number"
          step="any"
          value={values.maxCostUsd}
          error={errors.maxCostUsd}
          hint="Optional. The run stops sending once its traces have cost this much; the tests not sent are shown as not run."
        />
        <InputField
          id={`${idPrefix}-max-tokens`}
          name="maxTokens"
          label="Token cap"
          type="number"
          step="1"
          value={values.maxTokens}
          error={errors.maxTokens}
          hint="Optional. The same, counted in tokens."
        />
        {comparesWithBaseline ? (
          <div class={`xp-field${errors.stopWhenDecided ? ' xp-field-invalid' : ''}`}>
            <label for={`${idPrefix}-stop`}>
              <input id={`${idPrefix}-stop`} name="stopWhenDecided" type="checkbox" value="on" checked={values.stopWhenDecided ?? false} aria-describedby={`${idPrefix}-stop-hint`} />{' '}
              Stop when decided
            </label>
            <FieldNotes
              id={`${idPrefix}-stop`}
              hint="Off by default. The tasks go out in a random order; after each task the variant and the baseline both finished, a sequential test that stays valid however often it looks asks whether the variant is already better or worse (or can no longer be shown to differ). Once it is decided, the remaining tests are not sent — typically a third of a 500-task run suffices for a 15-point difference."
              error={errors.stopWhenDecided}
            />
          </div>
        ) : null}
      </div>
      {plan ? <PlanSlot paths={plan.paths} experimentId={plan.experimentId} /> : null}
    </>
  );
}
