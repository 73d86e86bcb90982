/**
 * The variants to compare, as ticks: any number of them, each at most once (a tick cannot be given twice).
 * Sent as repeated `v` parameters, in the order listed.
 */
export function CompareChoice({ options, chosen, error }: { options: ReadonlyArray<{ variantId: string; name: string }>; chosen: readonly string[]; error?: string | undefined }) {
  return (
    <fieldset class={error ? 'xp-compare-choice xp-field-invalid' : 'xp-compare-choice'} aria-describedby={error ? 'compare-choice-error' : undefined}>
      <legend>Variants to compare (two or more)</legend>
      <ul class="xp-checklist xp-checklist-inline">
        {options.map((option) => (
          <li>
            <input type="checkbox" id={`compare-${option.variantId}`} name="v" value={option.variantId} checked={chosen.includes(option.variantId)} />
            <label for={`compare-${option.variantId}`}>{option.name}</label>
          </li>
        ))}
      </ul>
      {error ? (
        <p class="xp-field-error" id="compare-choice-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
