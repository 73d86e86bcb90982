import { share } from '../domain/comparison.js';
import { mcnemarExact, wilsonInterval, type Interval } from '../domain/statistics.js';
import type { ParameterChange } from '../domain/variant-tree.js';
import { listResultRuns, listTestResults, pairCounts, runFigures, type ResultRun } from '../store/results-queries.js';
import { listVariants } from '../store/variant-repository.js';
import type { Caller } from './caller.js';
import { shownRun } from './experiment-results.js';
import { variantViews, type VariantView } from './experiment-view.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import type { PluginContext } from './plugin-context.js';
import { withTraceLinks, type RunTestRow } from './run-tests.js';

/** How many flipped tasks each list shows. */
const listedFlips = 50;

/** One side of a comparison: a variant and the run its figures come from. */
export interface CompareSide {
  variantId: string;
  name: string;
  change: ParameterChange | null;
  runId: string;
  runNumber: number;
  status: string;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  timedOut: number;
  passRate: number | null;
  interval: Interval | null;
  latencyP50: number | null;
  latencyP95: number | null;
  cost: number | null;
}

/** Two variants side by side: their figures, the paired test over the tasks both ran, and the tasks that flipped. */
export interface VariantComparison {
  experiment: { id: string; name: string };
  /** Every variant that has a run to compare. */
  options: Array<{ variantId: string; name: string }>;
  a: CompareSide | null;
  b: CompareSide | null;
  pairs: { pairs: number; regressions: number; improvements: number; pValue: number } | null;
  /** Passed with A and failed with B. */
  regressed: RunTestRow[];
  improved: RunTestRow[];
  moreRegressed: boolean;
  moreImproved: boolean;
}

type Candidate = { variant: VariantView; run: ResultRun };

/**
 * Compares variant `a` with variant `b` of one of the caller's experiments, each by its shown run (the latest
 * completed, else the latest); without a choice, the first two variants that have a run.
 */
export async function compareVariants(
  context: PluginContext,
  caller: Caller,
  experimentId: string | undefined,
  choice: { a?: string | undefined; b?: string | undefined },
): Promise<VariantComparison> {
  const { db } = context;
  const scope = experimentScope(caller, experimentId);
  const experiment = await loadExperiment(db, scope);
  const [variants, runs] = await Promise.all([listVariants(db, scope), listResultRuns(db, scope)]);
  const candidates: Candidate[] = variantViews(variants, experiment.baselineConfig).flatMap((variant) => {
    const run = shownRun(runs.filter((candidate) => candidate.variantId === variant.id));
    return run ? [{ variant, run }] : [];
  });
  const pick = (id: string | undefined, fallback: number) =>
    candidates.find((entry) => entry.variant.id === id?.toLowerCase()) ?? candidates[fallback] ?? null;
  const left = pick(choice.a, 0);
  const right = pick(choice.b, 1);
  const figures = await runFigures(db, [left, right].flatMap((entry) => (entry ? [entry.run.id] : [])));
  const side = (entry: Candidate | null): CompareSide | null => {
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
  const comparison: VariantComparison = {
    experiment: { id: experiment.id, name: experiment.name },
    options: candidates.map(({ variant }) => ({ variantId: variant.id, name: variant.name })),
    a: side(left),
    b: side(right),
    pairs: null,
    regressed: [],
    improved: [],
    moreRegressed: false,
    moreImproved: false,
  };
  if (!left || !right) return comparison;
  // B's tests are read against A's run, so "regressed" means passed with A and failed with B.
  const flipsOf = (flip: 'regressed' | 'improved') =>
    listTestResults(db, { experimentId: scope.experimentId, runId: right.run.id, baselineRunId: left.run.id, afterPosition: -1, limit: listedFlips, flip });
  const [counts, regressed, improved] = await Promise.all([pairCounts(db, left.run.id, [right.run.id]), flipsOf('regressed'), flipsOf('improved')]);
  const pair = counts.get(right.run.id);
  return {
    ...comparison,
    pairs: pair ? { ...pair, pValue: mcnemarExact(pair.regressions, pair.improvements) } : null,
    regressed: regressed.slice(0, listedFlips).map((row) => withTraceLinks(context, caller, row)),
    improved: improved.slice(0, listedFlips).map((row) => withTraceLinks(context, caller, row)),
    moreRegressed: regressed.length > listedFlips,
    moreImproved: improved.length > listedFlips,
  };
}
