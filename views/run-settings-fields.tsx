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

type NumberName = 'concurrency' | 'repeats' | 'traceTimeoutSeconds' | 'maxCostUsd' | 'maxTokens';

/** A labelled number input of a run's settings: one shape for every number a run takes. */
function NumberField(props: {
  id: string;
  name: NumberName;
  label: string;
  step: string;
  value: string | undefined;
  error: string | undefined;
  hint: string;
}) {
  return <InputField {...props} type="number" inputmode={props.step === '1' ? 'numeric' : 'decimal'} />;
}

/** The numbers a run takes, in the order the form shows them, with what each means. */
const numberFields = (defaults: RunDefaults) =>
  [
    {
      name: 'concurrency',
      idSuffix: 'concurrency',
      label: 'Concurrency',
      step: '1',
      initial: String(defaults.concurrency),
      hint: `Webhook requests in flight to your application at once (1–${defaults.maxConcurrency}).`,
    },
    {
      name: 'repeats',
      idSuffix: 'repeats',
      label: 'Repeats',
      step: '1',
      initial: '1',
      hint: 'Runs of each task (1–20); more repeats show how consistent a configuration is.',
    },
    {
      name: 'traceTimeoutSeconds',
      idSuffix: 'timeout',
      label: 'Trace timeout (seconds)',
      step: '1',
      initial: String(defaults.traceTimeoutSeconds),
      hint: "How long to wait for a test's trace before counting it as timed out.",
    },
    {
      name: 'maxCostUsd',
      idSuffix: 'max-cost',
      label: 'Spend cap (US dollars)',
      step: 'any',
      initial: undefined,
      hint: 'Optional. The run stops sending once its traces have cost this much; the tests not sent are shown as not run.',
    },
    {
      name: 'maxTokens',
      idSuffix: 'max-tokens',
      label: 'Token cap',
      step: '1',
      initial: undefined,
      hint: 'Optional. The same, counted in tokens.',
    },
  ] as const satisfies ReadonlyArray<{
    name: NumberName;
    idSuffix: string;
    label: string;
    step: string;
    initial: string | undefined;
    hint: string;
  }>;

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
        {numberFields(defaults).map((field) => (
          <NumberField
            id={`${idPrefix}-${field.idSuffix}`}
            name={field.name}
            label={field.label}
            step={field.step}
            value={values[field.name] ?? field.initial}
            error={errors[field.name]}
            hint={field.hint}
          />
        ))}
        {comparesWithBaseline ? (
          <div class={`xp-field${errors.stopWhenDecided ? ' xp-field-invalid' : ''}`}>
            <label for={`${idPrefix}-stop`}>
              <input
                id={`${idPrefix}-stop`}
                name="stopWhenDecided"
                type="checkbox"
                value="on"
                checked={values.stopWhenDecided ?? false}
                aria-describedby={`${idPrefix}-stop-hint`}
              />{' '}
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
