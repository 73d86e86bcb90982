import type { ModelPricesView, PriceSource } from '../plugin/operations/model-prices.js';
import type { FieldErrors } from './form-fields.js';
import { InputField } from './form-fields.js';
import type { ViewPaths } from './view-paths.js';

export interface ModelPricesPageProps {
  paths: ViewPaths;
  prices: ModelPricesView;
  /** What the form shows: a model to add (from an "unknown model" note), or what was posted and refused. */
  values: { model?: string | undefined; inputPerMillion?: string | undefined; outputPerMillion?: string | undefined };
  errors?: FieldErrors;
  /** A sentence saying what was just saved or removed. */
  saved?: string | undefined;
}

const sourceText: Record<PriceSource, string> = { shipped: 'shipped with the plugin', host: 'set by the host', project: 'this project' };
const perMillion = (value: number) => `$${value.toLocaleString('en-US', { maximumFractionDigits: 4 })}`;

/**
 * The prices a project's tests are priced by (issue 15): the shipped list prices, the host's, and the project's own,
 * which a person adds, changes and removes here. A model in none of them has an unknown cost, never zero.
 */
export function ModelPricesPage({ paths, prices, values, errors = {}, saved }: ModelPricesPageProps) {
  return (
    <>
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a>
      </p>
      <div class="xp-page-head">
        <h1>Model prices</h1>
      </div>
      <p class="xp-hint">
        Each test is priced from the tokens its trace reports, at these prices in US dollars per million tokens (a cost the trace states itself
        is used as it is). A model that is not listed has an <strong>unknown</strong> cost, shown as such and never counted as zero. The plugin
        ships list prices for common models and the host may add its own; prices you set here apply to this project only, override both, and
        price the tests evaluated from now on.
      </p>
      {saved ? (
        <p class="xp-flash-message xp-flash-ok" role="status">
          {saved}
        </p>
      ) : null}
      <section class="xp-panel" aria-labelledby="add-price">
        <h2 id="add-price">Add or change a price for this project</h2>
        <form method="post" action={paths.modelPrices()} class="xp-inline-form">
          <InputField id="price-model" name="model" label="Model" value={values.model} error={errors.model} required placeholder="e.g. llama-3-70b" />
          <InputField
            id="price-input"
            name="inputPerMillion"
            label="Input, $ per 1M tokens"
            type="number"
            min={0}
            step="any"
            value={values.inputPerMillion}
            error={errors.inputPerMillion}
            required
          />
          <InputField
            id="price-output"
            name="outputPerMillion"
            label="Output, $ per 1M tokens"
            type="number"
            min={0}
            step="any"
            value={values.outputPerMillion}
            error={errors.outputPerMillion}
            required
          />
          <button type="submit" class="xp-button xp-button-primary">
            Save price
          </button>
        </form>
        <p class="xp-hint">Names are matched without regard to case; a dated release (gpt-4o-2024-08-06) is priced as its model (gpt-4o).</p>
      </section>
      <div class="xp-scroll">
        <table class="xp-table" id="model-price-table">
          <caption class="xp-visually-hidden">Prices in US dollars per million tokens</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" class="xp-num">
                Input / 1M
              </th>
              <th scope="col" class="xp-num">
                Output / 1M
              </th>
              <th scope="col">Source</th>
              <th scope="col">
                <span class="xp-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {prices.models.map((row) => (
              <tr data-model={row.model} data-source={row.source}>
                <th scope="row">
                  <code>{row.model}</code>
                </th>
                <td class="xp-num">{perMillion(row.inputPerMillion)}</td>
                <td class="xp-num">{perMillion(row.outputPerMillion)}</td>
                <td>{row.source === 'project' ? <span class="xp-badge xp-badge-info">{sourceText.project}</span> : <span class="xp-muted">{sourceText[row.source]}</span>}</td>
                <td>
                  {row.source === 'project' ? (
                    <form method="post" action={paths.removeModelPrice} class="xp-inline-form">
                      <input type="hidden" name="model" value={row.model} />
                      <button type="submit" class="xp-button" aria-label={`Remove this project's price for ${row.model}`}>
                        Remove
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
