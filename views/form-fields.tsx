import type { Child } from 'hono/jsx';

/** The first message for each field of a form, keyed by the field's path (e.g. `name`, `classifier.temperature`). */
export type FieldErrors = Record<string, string>;

interface FieldProps {
  /** The element id, also the prefix of the hint's and the error's ids. */
  id: string;
  name: string;
  label: Child;
  hint?: Child;
  error?: string | undefined;
}

const describedBy = (id: string, hint: unknown, error: unknown) =>
  [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

/** The hint and the error of a field, each with the id the input points at. */
export function FieldNotes({ id, hint, error }: { id: string; hint?: Child; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} class="xp-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} class="xp-field-error">
          {error}
        </p>
      ) : null}
    </>
  );
}

/** A labelled single-line input with its hint and its error beside it. */
export function InputField(
  props: FieldProps & {
    value?: string | number | undefined;
    type?: string;
    required?: boolean;
    min?: number;
    max?: number;
    step?: string;
    placeholder?: string;
    inputmode?: 'numeric' | 'decimal';
  },
) {
  const { id, name, label, hint, error, value, type = 'text', required, min, max, step, placeholder, inputmode } = props;
  return (
    <div class={`xp-field${error ? ' xp-field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value === undefined ? undefined : String(value)}
        required={required}
        min={min}
        max={max}
        step={step}
        placeholder={placeholder}
        inputmode={inputmode}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** A labelled multi-line input with its hint and its error beside it. */
export function TextAreaField(props: FieldProps & { value?: string | undefined; rows?: number }) {
  const { id, name, label, hint, error, value, rows = 3 } = props;
  return (
    <div class={`xp-field${error ? ' xp-field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <textarea id={id} name={name} rows={rows} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, hint, error)}>
        {value ?? ''}
      </textarea>
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** A labelled choice among options (`[value, label]`), with its hint and its error beside it. */
export function SelectField(props: FieldProps & { value?: string | undefined; options: ReadonlyArray<readonly [string, string]> }) {
  const { id, name, label, hint, error, value, options } = props;
  return (
    <div class={`xp-field${error ? ' xp-field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <select id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, hint, error)}>
        {options.map(([optionValue, optionLabel]) => (
          <option value={optionValue} selected={optionValue === value}>
            {optionLabel}
          </option>
        ))}
      </select>
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}
