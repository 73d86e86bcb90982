import type { ExperimentConfig } from '../plugin/domain/parameters.js';
import type { ViewPaths } from './view-paths.js';

export interface ConfigExportPageProps {
  paths: ViewPaths;
  experiment: { id: string; name: string };
  variant: { variantId: string; name: string; isWinner: boolean };
  config: ExperimentConfig;
}

/** A variant's effective configuration as JSON, ready to paste into the application, with a copy button. */
export function ConfigExportPage({ paths, experiment, variant, config }: ConfigExportPageProps) {
  const json = JSON.stringify(config, null, 2);
  return (
    <section aria-labelledby="config-heading">
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a> / <a href={paths.experiment(experiment.id)}>{experiment.name}</a>
      </p>
      <h1 id="config-heading">
        Configuration of {variant.name}
        {variant.isWinner ? <span class="xp-badge xp-badge-ok">Winner</span> : null}
      </h1>
      <p>The baseline's parameters with every change on the way to this variant applied, per inference step.</p>
      <div class="xp-actions">
        <button type="button" class="xp-button xp-button-primary" data-copy-target="config-json">
          Copy JSON
        </button>
        <a class="xp-button" href={`${paths.config(experiment.id, variant.variantId)}?download=1`} download>
          Download
        </a>
        <span class="xp-muted" data-copy-status role="status"></span>
      </div>
      <pre id="config-json" class="xp-code" tabindex={0}>
        {json}
      </pre>
    </section>
  );
}
