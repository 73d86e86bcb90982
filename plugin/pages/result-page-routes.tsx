import { Hono } from 'hono';
import type { PluginContext } from '../operations/plugin-context.js';
import { share } from '../domain/comparison.js';
import { mcnemarExact, wilsonInterval } from '../domain/statistics.js';
import { callerOf } from '../operations/caller.js';
import { variantViews } from '../operations/experiment-view.js';
import { experimentScope, loadExperiment } from '../operations/load-experiment.js';
import { getRun } from '../operations/run-progress.js';
import { getVariantConfig } from '../operations/variant-config.js';
import { listResultRuns, listTestResults, pairCounts, runFigures, type TestResultRow } from '../store/results-queries.js';
import { listVariants } from '../store/variant-repository.js';
import { ComparePage, type CompareSide } from '../../views/compare-page.js';
import { ConfigExportPage } from '../../views/config-export-page.js';
import { shownRun } from '../operations/experiment-results.js';
import { renderPage } from './render-page.js';
import { breakdownFilters, TaskBreakdownPage, type BreakdownFilter, type BreakdownRow } from '../../views/task-breakdown-page.js';
import { viewPaths } from '../../views/view-paths.js';

const testsPerPage = 20;
const listedFlips = 50;

const isFilter = (value: string | undefined): value is BreakdownFilter => value !== undefined && value in breakdownFilters;

/** The task breakdown of a run, the comparison of two variants, and a variant's configuration for export. */
export function resultViewRoutes(context: PluginContext): Hono {
  const app = new Hono();
  const { db, host } = context;
  const paths = viewPaths(context.manifest.mountPath);

  const withTraceLinks = (projectId: string, row: TestResultRow): BreakdownRow => ({
    ...row,
    traceUrl: row.traceId === null ? null : host.traces.pageUrl(projectId, row.traceId),
    baselineTraceUrl: row.baseline?.traceId ? host.traces.pageUrl(projectId, row.baseline.traceId) : null,
  });

  app.get('/experiments/:id/runs/:rid/tests', async (c) => {
    const caller = callerOf(c);
    const scope = experimentScope(caller, c.req.param('id'));
    const [experiment, run, runs] = await Promise.all([
      loadExperiment(db, scope),
      getRun(context, caller, { experimentId: scope.experimentId, runId: c.req.param('rid') }),
      listResultRuns(db, scope),
    ]);
    // Runs are listed newest first, so the first completed baseline run is the one variants are compared with.
    const baselineRun = run.isBaseline ? null : (runs.find((candidate) => candidate.isBaseline && candidate.status === 'completed') ?? null);
    const requested = c.req.query('filter');
    const filter: BreakdownFilter = isFilter(requested) && (baselineRun !== null || !['regressed', 'improved'].includes(requested)) ? requested : 'all';
    const after = Number(c.req.query('after'));
    const afterPosition = Number.isSafeInteger(after) && after >= 0 ? after : -1;
    const chosen = breakdownFilters[filter];
    const rows = await listTestResults(db, {
      experimentId: scope.experimentId,
      runId: run.runId,
      baselineRunId: baselineRun?.id ?? null,
      afterPosition,
      limit: testsPerPage,
      ...('status' in chosen ? { status: chosen.status } : {}),
      ...('flip' in chosen ? { flip: chosen.flip } : {}),
    });
    const shown = rows.slice(0, testsPerPage);
    const body = (
      <TaskBreakdownPage
        paths={paths}
        experiment={{ id: experiment.id, name: experiment.name }}
        run={{ runId: run.runId, number: run.number, isBaseline: run.isBaseline, variantName: run.variantName, status: run.status }}
        baselineRun={baselineRun ? { runId: baselineRun.id, number: baselineRun.number } : null}
        filter={filter}
        rows={shown.map((row) => withTraceLinks(caller.projectId, row))}
        paged={afterPosition >= 0}
        nextAfter={rows.length > testsPerPage ? (shown.at(-1)?.position ?? null) : null}
      />
    );
    return renderPage(c, context, { title: `Task breakdown · ${experiment.name}`, body });
  });

  app.get('/experiments/:id/compare', async (c) => {
    const caller = callerOf(c);
    const scope = experimentScope(caller, c.req.param('id'));
    const experiment = await loadExperiment(db, scope);
    const [variants, runs] = await Promise.all([listVariants(db, scope), listResultRuns(db, scope)]);
    const candidates = variantViews(variants, experiment.baselineConfig).flatMap((variant) => {
      const run = shownRun(runs.filter((candidate) => candidate.variantId === variant.id));
      return run ? [{ variant, run }] : [];
    });
    const pick = (id: string | undefined, fallback: number) => candidates.find((entry) => entry.variant.id === id?.toLowerCase()) ?? candidates[fallback] ?? null;
    const left = pick(c.req.query('a'), 0);
    const right = pick(c.req.query('b'), 1);
    const runIds = [left, right].flatMap((entry) => (entry ? [entry.run.id] : []));
    const figures = await runFigures(db, runIds);
    const side = (entry: (typeof candidates)[number] | null): CompareSide | null => {
      if (!entry) return null;
      const own = figures.get(entry.run.id);
      const total = own?.total ?? 0;
      const passed = own?.passed ?? 0;
      return {
        variantId: entry.variant.id,
        name: entry.variant.name,
        change: entry.variant.change,
        runId: entry.run.id,
        runNumber: entry.run.number,
        status: entry.run.status,
        total,
        passed,
        failed: own?.failed ?? 0,
        errored: own?.errored ?? 0,
        timedOut: own?.timedOut ?? 0,
        passRate: share(passed, total),
        interval: total === 0 ? null : wilsonInterval(passed, total),
        latencyP50: own?.latencyP50 ?? null,
        latencyP95: own?.latencyP95 ?? null,
        cost: own?.cost ?? null,
      };
    };
    let flips = { pairs: null as null | { pairs: number; regressions: number; improvements: number; pValue: number }, regressed: [] as TestResultRow[], improved: [] as TestResultRow[] };
    if (left && right) {
      // B's tests are read against A's run, so "regressed" means passed with A and failed with B.
      const flipsOf = (flip: 'regressed' | 'improved') =>
        listTestResults(db, { experimentId: scope.experimentId, runId: right.run.id, baselineRunId: left.run.id, afterPosition: -1, limit: listedFlips, flip });
      const [counts, regressed, improved] = await Promise.all([pairCounts(db, left.run.id, [right.run.id]), flipsOf('regressed'), flipsOf('improved')]);
      const pair = counts.get(right.run.id);
      flips = {
        pairs: pair ? { ...pair, pValue: mcnemarExact(pair.regressions, pair.improvements) } : null,
        regressed,
        improved,
      };
    }
    const body = (
      <ComparePage
        paths={paths}
        experiment={{ id: experiment.id, name: experiment.name }}
        options={candidates.map(({ variant }) => ({ variantId: variant.id, name: variant.name }))}
        a={side(left)}
        b={side(right)}
        pairs={flips.pairs}
        regressed={flips.regressed.slice(0, listedFlips).map((row) => withTraceLinks(caller.projectId, row))}
        improved={flips.improved.slice(0, listedFlips).map((row) => withTraceLinks(caller.projectId, row))}
        moreRegressed={flips.regressed.length > listedFlips}
        moreImproved={flips.improved.length > listedFlips}
      />
    );
    return renderPage(c, context, { title: `Compare · ${experiment.name}`, body });
  });

  app.get('/experiments/:id/variants/:vid/config', async (c) => {
    const caller = callerOf(c);
    const scope = experimentScope(caller, c.req.param('id'));
    const [experiment, exported] = await Promise.all([loadExperiment(db, scope), getVariantConfig(context, caller, c.req.param('id'), c.req.param('vid'))]);
    if (c.req.query('download')) {
      c.header('content-disposition', `attachment; filename="experiment-${experiment.id}-variant-${exported.variantId}.json"`);
      return c.json(exported.config);
    }
    const body = (
      <ConfigExportPage
        paths={paths}
        experiment={{ id: experiment.id, name: experiment.name }}
        variant={{ variantId: exported.variantId, name: exported.name, isWinner: experiment.winnerVariantId === exported.variantId }}
        config={exported.config}
      />
    );
    return renderPage(c, context, { title: `Configuration · ${exported.name}`, body });
  });

  return app;
}
