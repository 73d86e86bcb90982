import { checkTaskSet, detectableDifference, planningBaseline, tasksNeeded, type PlanningBaseline } from '../domain/detectable-difference.js';
import { namedDifference } from '../domain/hypothesis-difference.js';
import { ExperimentsError } from '../errors.js';
import { listExperimentTaskIds } from '../store/experiment-repository.js';
import type { Caller } from './caller.js';
import { alpha, computeResults } from './experiment-results.js';
import { experimentScope, loadExperiment } from './load-experiment.js';
import type { PluginContext } from './plugin-context.js';

/** What a plan is computed for, as typed into a form (query parameters): all optional. */
export interface PlanInput {
  repeats?: string | undefined;
  /** A difference the user wants to detect, in percentage points. */
  difference?: string | undefined;
  /** Variants to be compared with the baseline (the Holm family). */
  variants?: string | undefined;
}

/** What the experiment can detect before it runs (issue 14: plan before you run). */
export interface ExperimentPlan {
  tasks: number;
  repeats: number;
  baselineRepeats: number;
  variants: number;
  /** The baseline's figures the plan assumes, and whether they were measured. */
  baseline: PlanningBaseline & { measured: boolean };
  /** Smallest change each way detectable at 80% power, as fractions; null when none is. */
  detectable: { improvement: number | null; regression: number | null };
  /** Tasks needed for the difference the user typed. */
  typed: { difference: number; tasksNeeded: number | null; power: number } | null;
  /** The difference the hypothesis names, and whether the task set is too small for it; null when it names none. */
  hypothesis: { difference: number; power: number; tooSmall: boolean; tasksNeeded: number | null } | null;
}

// Before the baseline has run, a 50% pass rate: the hardest case for a test, so the figure is never optimistic.
const assumedBaseline: PlanningBaseline = { passRate: 0.5 };

function whole(value: string | undefined, name: string, low: number, high: number, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < low || number > high) {
    throw new ExperimentsError('bad_request', `${name} must be a whole number from ${low} to ${high}.`);
  }
  return number;
}

/**
 * The plan of one of the caller's experiments: the smallest difference detectable at 80% power for the test the
 * results will use (exact McNemar with one repeat each, the permutation test with repeats), with Holm over the planned
 * variants; from the baseline's results when it has completed, else assuming a 50% pass rate and independent outcomes.
 * With a typed difference, the tasks it needs; with a hypothesis that names a difference, whether the task set is too
 * small for it.
 */
export async function experimentPlan(context: PluginContext, caller: Caller, experimentId: string | undefined, input: PlanInput): Promise<ExperimentPlan> {
  const scope = experimentScope(caller, experimentId);
  const experiment = await loadExperiment(context.db, scope);
  const [taskIds, detail] = await Promise.all([listExperimentTaskIds(context.db, scope), computeResults(context.db, experiment, scope)]);
  const repeats = whole(input.repeats, 'repeats', 1, 20, 1);
  const compared = detail.results.variants.filter((variant) => !variant.isBaseline).length;
  const variants = whole(input.variants, 'variants', 1, 100, Math.max(1, compared));
  let typedDifference: number | null = null;
  if (input.difference !== undefined && input.difference.trim() !== '') {
    const points = Number(input.difference);
    if (!Number.isFinite(points) || points <= 0 || points > 100) throw new ExperimentsError('bad_request', 'difference must be a number of points above 0 and at most 100.');
    typedDifference = points / 100;
  }

  const baselineTallies = detail.baselineRun ? (detail.tallies.get(detail.baselineRun.id) ?? []) : [];
  const measured = planningBaseline(baselineTallies);
  const baseline = measured ?? assumedBaseline;
  const baselineRepeats = detail.baselineRun?.repeats ?? repeats;
  const tasks = measured ? baselineTallies.filter((tally) => tally.finished > 0).length : taskIds.length;
  const plan = { ...baseline, repeats, baselineRepeats, variants, alpha };

  const named = namedDifference(experiment.description);
  // A difference is checked as an improvement when the baseline has room for it, else as a regression.
  const signed = (difference: number) => (baseline.passRate + difference <= 1 ? difference : -difference);
  const hypothesis = named === null || tasks === 0 ? null : { difference: named, ...checkTaskSet({ ...plan, tasks }, signed(named)) };
  return {
    tasks,
    repeats,
    baselineRepeats,
    variants,
    baseline: { ...baseline, measured: measured !== null },
    detectable: tasks === 0 ? { improvement: null, regression: null } : detectableDifference({ ...plan, tasks }),
    typed:
      typedDifference === null
        ? null
        : {
            difference: typedDifference,
            tasksNeeded: tasksNeeded(plan, signed(typedDifference)),
            power: tasks === 0 ? 0 : checkTaskSet({ ...plan, tasks }, signed(typedDifference)).power,
          },
    hypothesis,
  };
}
