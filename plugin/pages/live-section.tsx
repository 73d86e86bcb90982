import type { Context } from 'hono';
import type { PluginContext } from '../operations/plugin-context.js';
import { callerOf } from '../operations/caller.js';
import { getExperimentView, type ExperimentView } from '../operations/experiment-view.js';
import { experimentResults } from '../operations/experiment-results.js';
import { getRun, listExperimentRuns } from '../operations/run-progress.js';
import { ExperimentLive, type ExperimentLiveProps } from '../../views/experiment-live-fragment.js';
import { Flash } from '../../views/flash-fragment.js';
import { viewPaths } from '../../views/view-paths.js';
import { renderPage } from './render-page.js';
import { runDefaultsOf } from './run-settings-form.js';
import { isHtmx } from './page-error-handler.js';
import { parseResultsSort, type ResultsSort } from '../../views/results-sort.js';
import { setupNotices } from './setup-experiment.js';

// The table keeps the order the page was opened with: a fragment htmx fetches reads it from the page's address.
export function resultsSortOf(c: Context): ResultsSort | null {
  const own = c.req.query('sort');
  if (own !== undefined) return parseResultsSort(own);
  const page = c.req.header('hx-current-url');
  if (!page || !URL.canParse(page)) return null;
  return parseResultsSort(new URL(page).searchParams.get('sort'));
}

// Only the section's own looks for a queued run carry it; anything else in the address counts as the first look.
function queueLooksOf(c: Context): number {
  const looks = Number(c.req.query('queueLook'));
  return Number.isInteger(looks) && looks > 0 ? Math.min(looks, 100) : 0;
}

/**
 * The experiment page's live section as every action answers with it: the whole page for a plain request, the section
 * (and a message in `#flash`) for htmx. Shared by the page's own routes and the routes that manage its parts.
 */
export function liveSection(context: PluginContext) {
  const paths = viewPaths(context.manifest.mountPath);
  const { temporalUiUrl, temporalNamespace } = context.config;
  const workflowUrl = (workflowId: string) =>
    temporalUiUrl
      ? `${temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`
      : null;

  async function liveProps(c: Context, experiment: ExperimentView, branch?: ExperimentLiveProps['branch']): Promise<ExperimentLiveProps> {
    const caller = callerOf(c);
    const [runs, results] = await Promise.all([
      listExperimentRuns(context, caller, experiment.id),
      experimentResults(context, caller, experiment.id),
    ]);
    const latest = runs[0];
    const latestRun = latest ? await getRun(context, caller, { experimentId: experiment.id, runId: latest.id }) : null;
    const parent = c.req.query('parent');
    return {
      sort: resultsSortOf(c),
      queueLooks: queueLooksOf(c),
      paths,
      experiment,
      latestRun,
      results,
      runDefaults: runDefaultsOf(context.config),
      workflowUrl,
      ...(branch ? { branch } : parent ? { branch: { values: { parentId: parent }, errors: {} } } : {}),
    };
  }

  async function page(
    c: Context,
    experiment: ExperimentView,
    options: { branch?: ExperimentLiveProps['branch']; status?: 200 | 422 } = {},
  ) {
    const props = await liveProps(c, experiment, options.branch);
    // Only the fixed notices: a message is never taken from the address.
    const notice = c.req.query('notice');
    const flash =
      notice !== undefined && Object.hasOwn(setupNotices, notice)
        ? { tone: 'error' as const, message: setupNotices[notice as keyof typeof setupNotices] }
        : undefined;
    return renderPage(c, context, {
      title: experiment.name,
      body: <ExperimentLive {...props} />,
      status: options.status ?? 200,
      ...(flash ? { flash } : {}),
    });
  }

  /** The answer to an action: the live section (and a message) for htmx, the page again for a plain form. */
  async function afterAction(c: Context, experimentId: string, message: string) {
    if (!isHtmx(c)) return c.redirect(paths.experiment(experimentId), 303);
    const experiment = await getExperimentView(context, callerOf(c), experimentId);
    const props = await liveProps(c, experiment);
    return c.html(
      <>
        <ExperimentLive {...props} />
        <Flash oob tone="ok" message={message} />
      </>,
    );
  }

  return { paths, workflowUrl, liveProps, page, afterAction };
}
