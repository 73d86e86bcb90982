import { Hono } from 'hono';
import { callerOf } from '../operations/caller.js';
import { compareVariants } from '../operations/compare-variants.js';
import { experimentPlan } from '../operations/experiment-plan.js';
import { PlanHint } from '../../views/plan-hint-fragment.js';
import type { PluginContext } from '../operations/plugin-context.js';
import { getRun } from '../operations/run-progress.js';
import { findRunBesideBaseline, readRunTests } from '../operations/run-tests.js';
import { getVariantExport } from '../operations/variant-config.js';
import { contentDisposition, exportFileName, fileSlug } from '../operations/export-file-name.js';
import { exportResults } from '../operations/results-export.js';
import { resultsFileResponse } from '../api/results-file-response.js';
import { ComparePage } from '../../views/compare-page.js';
import { ConfigExportPage } from '../../views/config-export-page.js';
import { breakdownFilters, shownFilters, TaskBreakdownPage, type BreakdownFilter } from '../../views/task-breakdown-page.js';
import { countRunTests, pageAfterPosition, pageStartPosition, webhookPayloads, type TestFilter } from '../operations/run-test-pages.js';
import { viewPaths } from '../../views/view-paths.js';
import { renderPage } from './render-page.js';

const testsPerPage = 20;

const isFilter = (value: string | undefined): value is BreakdownFilter => value !== undefined && value in breakdownFilters;

/** The task breakdown of a run, the comparison of two variants, and a variant's configuration for export. */
export function resultPageRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const paths = viewPaths(context.manifest.mountPath);

  app.get('/experiments/:id/runs/:rid/tests', async (c) => {
    const caller = callerOf(c);
    const ids = { experimentId: c.req.param('id'), runId: c.req.param('rid') };
    const beside = await findRunBesideBaseline(context, caller, ids);
    const { experiment, baselineRun } = beside;
    const requested = c.req.query('filter');
    // Without a baseline run to set them against, there are no flips to filter by.
    const filter: BreakdownFilter = isFilter(requested) && (baselineRun !== null || !['regressed', 'improved'].includes(requested)) ? requested : 'all';
    const chosen = breakdownFilters[filter];
    const filterOf = (entry: (typeof breakdownFilters)[BreakdownFilter]): TestFilter => ({
      ...('status' in entry ? { status: entry.status } : {}),
      ...('flip' in entry ? { flip: entry.flip } : {}),
      ...('flaky' in entry ? { flaky: true } : {}),
    });
    const shown = shownFilters(baselineRun !== null);
    const counts = await countRunTests(context, beside, Object.fromEntries(shown.map((key) => [key, filterOf(breakdownFilters[key])])) as Record<BreakdownFilter, TestFilter>);
    const pages = Math.max(1, Math.ceil((counts[filter] ?? 0) / testsPerPage));
    // A numbered page (`page`) or the position a "Next page" link reads after (`after`); anything else is the first page.
    const requestedPage = Number(c.req.query('page'));
    const after = Number(c.req.query('after'));
    let afterPosition = Number.isSafeInteger(after) && after >= 0 ? after : -1;
    let page = 1;
    if (Number.isSafeInteger(requestedPage) && requestedPage >= 1) {
      page = Math.min(requestedPage, pages);
      afterPosition = await pageStartPosition(context, beside, filterOf(chosen), page, testsPerPage);
    } else if (afterPosition >= 0) {
      page = await pageAfterPosition(context, beside, filterOf(chosen), afterPosition, testsPerPage);
    }
    const [run, { rows, more }] = await Promise.all([
      getRun(context, caller, ids),
      readRunTests(context, caller, beside, { afterPosition, limit: testsPerPage, ...filterOf(chosen) }),
    ]);
    const payloads = await webhookPayloads(context, beside, rows.map((row) => row.position));
    const body = (
      <TaskBreakdownPage
        paths={paths}
        experiment={{ id: experiment.id, name: experiment.name }}
        run={{ runId: run.runId, number: run.number, isBaseline: run.isBaseline, variantName: run.variantName, status: run.status }}
        baselineRun={baselineRun ? { runId: baselineRun.id, number: baselineRun.number } : null}
        filter={filter}
        counts={counts}
        rows={rows.map((row) => ({ ...row, payload: payloads.get(row.position) ?? null }))}
        page={page}
        pages={pages}
        nextAfter={more ? (rows.at(-1)?.position ?? null) : null}
      />
    );
    return renderPage(c, context, { title: `Task breakdown · ${experiment.name}`, body });
  });

  // The plan fragment asked for where tasks and repeats are chosen (views/plan-hint-fragment.tsx).
  app.get('/experiments/:id/plan', async (c) => {
    const id = c.req.param('id');
    const plan = await experimentPlan(context, callerOf(c), id, {
      repeats: c.req.query('repeats'),
      difference: c.req.query('difference'),
      variants: c.req.query('variants'),
    });
    return c.html(<PlanHint paths={paths} experimentId={id} plan={plan} />);
  });

  app.get('/experiments/:id/compare', async (c) => {
    // `v` repeated, in the order chosen; `a` and `b` are the two-variant form older links carry.
    const chosen = [...(c.req.queries('v') ?? []), ...[c.req.query('a'), c.req.query('b')].filter((id): id is string => id !== undefined)].filter((id) => id !== '');
    const comparison = await compareVariants(context, callerOf(c), c.req.param('id'), {
      variantIds: chosen,
      allTasks: c.req.query('tasks') === 'all',
      taskId: c.req.query('task') || undefined,
    });
    const body = <ComparePage paths={paths} {...comparison} />;
    return renderPage(c, context, { title: `Compare · ${comparison.experiment.name}`, body, status: comparison.refused ? 422 : 200 });
  });

  // The exports at the tab's own address, beside the page they are linked from; the same files as the API's.
  app.get('/experiments/:id/results.csv', async (c) => resultsFileResponse(c, await exportResults(context, callerOf(c), c.req.param('id'), 'csv'), 'attachment'));
  app.get('/experiments/:id/results.md', async (c) => resultsFileResponse(c, await exportResults(context, callerOf(c), c.req.param('id'), 'markdown'), 'inline'));

  app.get('/experiments/:id/variants/:vid/config', async (c) => {
    const { experiment, variant } = await getVariantExport(context, callerOf(c), c.req.param('id'), c.req.param('vid'));
    if (c.req.query('download')) {
      c.header('content-disposition', contentDisposition(exportFileName(experiment.name, `${fileSlug(variant.name, 'variant')}-config`, new Date(), 'json')));
      return c.json(variant.config);
    }
    const body = (
      <ConfigExportPage
        paths={paths}
        experiment={{ id: experiment.id, name: experiment.name }}
        variant={{ variantId: variant.variantId, name: variant.name, isWinner: experiment.winnerVariantId === variant.variantId }}
        config={variant.config}
      />
    );
    return renderPage(c, context, { title: `Configuration · ${variant.name}`, body });
  });

  return app;
}
