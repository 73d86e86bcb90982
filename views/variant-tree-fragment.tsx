import { formatChange, type ParameterChange } from '../plugin/domain/variant-tree.js';
import type { VariantView, VariantViewNode } from '../plugin/operations/experiment-view.js';
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
  /** How many times the section has looked for the next queued run to start (the live address's `queueLook`). */
  queueLooks?: number;
}

function RunForm({
  paths,
  experimentId,
  variant,
  runDefaults,
}: {
  paths: ViewPaths;
  experimentId: string;
  variant: VariantViewNode;
  runDefaults: RunDefaults;
}) {
  const action = paths.run(experimentId, variant.id);
  return (
    <form method="post" action={action} hx-post={action} class="xp-run-form">
      <button type="submit" class="xp-button xp-button-small xp-button-primary">
        Run<span class="xp-visually-hidden"> {variant.name}</span>
      </button>
      <details>
        <summary>Run settings</summary>
        <RunSettingsFields
          idPrefix={`run-${variant.id}`}
          defaults={runDefaults}
          plan={{ paths, experimentId }}
          comparesWithBaseline={!variant.isBaseline}
        />
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

/** A draft that has never run may still be edited or deleted; once run, its results depend on it. */
const isEditableDraft = (variant: VariantView) => !variant.isBaseline && variant.status === 'draft';

function VariantNode(props: VariantTreeProps & { variant: VariantViewNode }) {
  const { paths, experimentId, variant, canRun, canBranch, winnerVariantId, runDefaults } = props;
  return (
    <li data-variant-id={variant.id}>
      <div class="xp-node">
        <div class="xp-node-main">
          <span class="xp-node-name">{variant.name}</span> <StatusBadge status={variant.status} />
          {variant.id === winnerVariantId ? <span class="xp-badge xp-badge-ok">Winner</span> : null}
          {variant.queued ? <span class="xp-badge xp-badge-queued">Queued #{variant.queued.position}</span> : null}
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
          {canBranch && isEditableDraft(variant) ? (
            <>
              <a class="xp-button xp-button-small" href={paths.editVariant(experimentId, variant.id)}>
                Edit<span class="xp-visually-hidden"> {variant.name}</span>
              </a>
              <form
                method="post"
                action={paths.deleteVariant(experimentId, variant.id)}
                hx-post={paths.deleteVariant(experimentId, variant.id)}
                hx-confirm={`Delete the draft variant “${variant.name}”? It has never run, so no results are lost.`}
                class="xp-node-form"
              >
                <button type="submit" class="xp-button xp-button-small xp-button-danger">
                  Delete<span class="xp-visually-hidden"> {variant.name}</span>
                </button>
              </form>
            </>
          ) : null}
          {variant.queued ? (
            <form
              method="post"
              action={paths.unqueue(experimentId, variant.queued.entryId)}
              hx-post={paths.unqueue(experimentId, variant.queued.entryId)}
              class="xp-node-form"
            >
              <button type="submit" class="xp-button xp-button-small">
                Remove from queue<span class="xp-visually-hidden"> ({variant.name})</span>
              </button>
            </form>
          ) : null}
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

const flatten = (roots: readonly VariantViewNode[]): VariantViewNode[] => roots.flatMap((root) => [root, ...flatten(root.children)]);

/**
 * Seconds before the section looks again for the next queued run: 1 s at first (the next run normally starts within
 * a second), then doubling to 30 s, so a queue left waiting (no worker running) does not reload the page every second.
 */
export const queueLookDelaySeconds = (looks: number) => Math.min(2 ** Math.max(0, looks), 30);
/** Looks after which the wait is worth saying: about 15 s. */
const looksBeforeNotice = 4;

/**
 * "Run all drafts" and the queue (issue 18): queued runs go one after another. Between two of them nothing runs for a
 * moment, so while runs wait and none is going the section looks again, sooner at first, to follow the next one.
 */
function RunQueue({
  paths,
  experimentId,
  variants,
  canQueue,
  runDefaults,
  looks,
}: {
  paths: ViewPaths;
  experimentId: string;
  variants: VariantViewNode[];
  canQueue: boolean;
  runDefaults: RunDefaults;
  looks: number;
}) {
  const queued = variants.filter((variant) => variant.queued).sort((a, b) => a.queued!.position - b.queued!.position);
  const drafts = variants.filter((variant) => isEditableDraft(variant) && !variant.queued);
  const going = variants.some((variant) => variant.status === 'running');
  if (queued.length === 0 && (!canQueue || drafts.length === 0)) return null;
  return (
    <div class="xp-queue" aria-labelledby="queue-heading">
      <h3 id="queue-heading">Run queue</h3>
      {queued.length > 0 ? (
        <>
          <ol class="xp-queue-list">
            {queued.map((variant) => (
              <li>{variant.name}</li>
            ))}
          </ol>
          <form
            method="post"
            action={paths.clearQueue(experimentId)}
            hx-post={paths.clearQueue(experimentId)}
            hx-confirm="Take every queued run out of the queue? A run going goes on."
            class="xp-node-form"
          >
            <button type="submit" class="xp-button xp-button-small">
              Clear the queue
            </button>
          </form>
        </>
      ) : (
        <p class="xp-muted xp-small">No runs are queued.</p>
      )}
      {canQueue && drafts.length > 0 ? (
        <form method="post" action={paths.queue(experimentId)} hx-post={paths.queue(experimentId)} class="xp-run-form">
          <button type="submit" class="xp-button xp-button-primary">
            Run all drafts ({drafts.length})
          </button>
          <details>
            <summary>Run settings for the queued runs</summary>
            <RunSettingsFields idPrefix="queue" defaults={runDefaults} comparesWithBaseline />
          </details>
        </form>
      ) : null}
      {queued.length > 0 && !going ? (
        <>
          {looks >= looksBeforeNotice ? (
            <p class="xp-muted xp-small" role="status" data-queue-waiting>
              The next queued run has not started yet. Queued runs start only while a worker of the plugin is running;
              this page looks again every {queueLookDelaySeconds(looks)} s.
            </p>
          ) : null}
          <div
            hx-get={`${paths.live(experimentId)}?queueLook=${looks + 1}`}
            hx-trigger={`load delay:${queueLookDelaySeconds(looks)}s`}
            hx-target="#experiment-live"
            hx-swap="outerHTML"
          ></div>
        </>
      ) : null}
    </div>
  );
}

/** The variants as a tree rooted at the baseline, each with its changes from the baseline as `step.parameter: old → new`. */
export function VariantTree(props: VariantTreeProps) {
  if (props.roots.length === 0) {
    return <p class="xp-empty">No variants yet: the baseline appears here once its configuration is saved.</p>;
  }
  return (
    <>
      <ul class="xp-tree" aria-label="Variant tree">
        {props.roots.map((root) => (
          <VariantNode {...props} variant={root} />
        ))}
      </ul>
      <RunQueue
        paths={props.paths}
        experimentId={props.experimentId}
        variants={flatten(props.roots)}
        canQueue={props.canBranch}
        runDefaults={props.runDefaults}
        looks={props.queueLooks ?? 0}
      />
    </>
  );
}
