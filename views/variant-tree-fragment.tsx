import { formatChange, type ParameterChange } from '../plugin/domain/variant-tree.js';
import type { VariantViewNode } from '../plugin/operations/experiment-view.js';
import { RunSettingsFields, type RunDefaults } from './run-settings-fields.js';
import { StatusBadge } from './status-badge.js';
import type { ViewPaths } from './view-paths.js';

export interface VariantTreeProps {
  paths: ViewPaths;
  experimentId: string;
  roots: VariantViewNode[];
  /** Which variants may be run now (the experiment's status decides). */
  canRun: (variant: VariantViewNode) => boolean;
  canBranch: boolean;
  winnerVariantId: string | null;
  runDefaults: RunDefaults;
  /**
   * Each variant's whole difference from the baseline along its branch (the results' `changes`), so two variants never
   * read alike; without it (the results could not be read) a variant shows its own change only.
   */
  changesOf?: (variantId: string) => readonly ParameterChange[] | undefined;
}

function RunForm({ paths, experimentId, variant, runDefaults }: { paths: ViewPaths; experimentId: string; variant: VariantViewNode; runDefaults: RunDefaults }) {
  const action = paths.run(experimentId, variant.id);
  return (
    <form method="post" action={action} hx-post={action} class="xp-run-form">
      <button type="submit" class="xp-button xp-button-small xp-button-primary">
        Run<span class="xp-visually-hidden"> {variant.name}</span>
      </button>
      <details>
        <summary>Run settings</summary>
        <RunSettingsFields idPrefix={`run-${variant.id}`} defaults={runDefaults} plan={{ paths, experimentId }} comparesWithBaseline={!variant.isBaseline} />
      </details>
    </form>
  );
}

// The full list when known, this variant's own change marked in it; else the own change alone.
function VariantChanges({ variant, changes }: { variant: VariantViewNode; changes: readonly ParameterChange[] | undefined }) {
  const own = variant.change;
  if (!changes) return own ? <code class="xp-change">{formatChange(own)}</code> : null;
  const isOwn = (change: ParameterChange) => own !== null && change.step === own.step && change.parameter === own.parameter;
  return (
    <ul class="xp-changes" aria-label={`What ${variant.name} changes from the baseline`}>
      {changes.map((change) => (
        <li>
          <code class="xp-change">{formatChange(change)}</code>
          {isOwn(change) ? null : <span class="xp-muted xp-small"> (inherited)</span>}
        </li>
      ))}
      {changes.length === 0 ? <li class="xp-muted xp-small">Same configuration as the baseline</li> : null}
    </ul>
  );
}

function VariantNode(props: VariantTreeProps & { variant: VariantViewNode }) {
  const { paths, experimentId, variant, canRun, canBranch, winnerVariantId, runDefaults } = props;
  return (
    <li data-variant-id={variant.id}>
      <div class="xp-node">
        <div class="xp-node-main">
          <span class="xp-node-name">{variant.name}</span> <StatusBadge status={variant.status} />
          {variant.id === winnerVariantId ? <span class="xp-badge xp-badge-ok">Winner</span> : null}
          <br />
          {variant.isBaseline ? (
            <span class="xp-muted xp-small">Baseline: the configuration every variant is compared with</span>
          ) : (
            <VariantChanges variant={variant} changes={props.changesOf?.(variant.id)} />
          )}
          {variant.description ? <p class="xp-small xp-muted">{variant.description}</p> : null}
        </div>
        <div class="xp-node-actions">
          {canRun(variant) ? <RunForm paths={paths} experimentId={experimentId} variant={variant} runDefaults={runDefaults} /> : null}
          {canBranch ? (
            <a class="xp-button xp-button-small" href={`${paths.experiment(experimentId)}?parent=${variant.id}#branch-heading`}>
              Branch<span class="xp-visually-hidden"> from {variant.name}</span>
            </a>
          ) : null}
          <a class="xp-button xp-button-small" href={paths.config(experimentId, variant.id)}>
            Config<span class="xp-visually-hidden"> of {variant.name}</span>
          </a>
        </div>
      </div>
      {variant.children.length > 0 ? (
        <ul>
          {variant.children.map((child) => (
            <VariantNode {...props} variant={child} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** The variants as a tree rooted at the baseline, each with its changes from the baseline as `step.parameter: old → new`. */
export function VariantTree(props: VariantTreeProps) {
  if (props.roots.length === 0) {
    return <p class="xp-empty">No variants yet: the baseline appears here once its configuration is saved.</p>;
  }
  return (
    <ul class="xp-tree" aria-label="Variant tree">
      {props.roots.map((root) => (
        <VariantNode {...props} variant={root} />
      ))}
    </ul>
  );
}
