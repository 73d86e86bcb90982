import gammaln from '@stdlib/math-base-special-gammaln';
import { taskDifference, type PairedTask } from './paired-tasks.js';
import type { Verdict } from './statistics.js';

/**
 * Stopping a variant's run once its verdict is decided (issue 15), with a test that stays valid however often it is
 * looked at: an e-process E_t, a nonnegative (super)martingale under "the variant and the baseline pass each task
 * equally often", so by Ville's inequality P(E_t ever reaches 1/α) ≤ α (Ramdas, Grünwald, Vovk & Shafer 2023,
 * "Game-theoretic statistics and safe anytime-valid inference", Statistical Science 38(4)).
 *
 * THE STOPPING RULE, from counts alone:
 * 1. The run sends its tasks in a seeded random order (`seededShuffle`). Pairs are fed in that order and only in
 *    it: task t is fed once its variant tests (and the baseline's) are final and tasks 1…t−1 have been fed. Feeding
 *    in the order results arrive would let slow outcomes (time-outs are failures) come last and bias the start.
 *    A task the baseline never finished is skipped (it pairs with nothing).
 * 2. After each pair, with R = tasks not yet fed and α the level (α / the number of variants, if the decisions must
 *    survive Holm unchanged):
 *    - `decided`: E ≥ 1/α. The verdict is `better` when the paired change so far is positive, `worse` when negative.
 *      Stop sending.
 *    - `undecidable`: even if every remaining task went the way most favourable to E, E could not reach 1/α. Stop
 *      sending; the verdict is `no_difference`.
 *    - otherwise continue.
 * 3. Every test not sent is `not_run` (stopped early). The p-value min(1, 1 / max over t of E_t) is valid at any
 *    stopping time, so Holm across the experiment's variants applies to it as to a fixed-size p-value.
 *
 * Two e-processes, chosen before the run from the repeats:
 * - `discordant_mixture` (both runs one repeat). Under the null each discordant task is an improvement with
 *   probability ½, whatever the task; E = ∫ θ^c (1 − θ)^b / (½)^(b+c) dBeta(θ; a, a) = 2^(b+c) B(a + c, a + b) / B(a, a),
 *   the mixture SPRT for a binomial proportion (Robbins 1970, "Statistical methods related to the law of the iterated
 *   logarithm", Ann Math Stat 41:1397–1409), with b regressions and c improvements so far. a = 4 puts the prior's
 *   spread (sd 1/6) where the differences experiments look for lie; it changes the speed, never the validity.
 *   It cannot be decided iff max(E(b + R, c), E(b, c + R)) < 1/α: log E is convex along each of those two paths and,
 *   for a fixed number of new discordant tasks, convex in how they split (log Γ is convex), so no path through the
 *   remaining tasks rises higher than one of those two ends.
 * - `betting` (repeats on either side): the per-task differences d = fV − fB lie in [−1, 1] and have mean 0 under
 *   the null even when the two runs have different repeats. Capital K⁺ = Π(1 + λ⁺ d) bets on a positive mean, K⁻ =
 *   Π(1 − λ⁻ d) on a negative one, E = (K⁺ + K⁻) / 2, with λ = Σd / (1 + Σd²) over the tasks before (aGRAPA),
 *   split by sign and truncated at ½ (Waudby-Smith & Ramdas, "Estimating means of bounded random variables by
 *   betting", J R Stat Soc B 2024, arXiv:2010.09686). No factor exceeds 3/2, so it cannot be decided when
 *   E · (3/2)^R < 1/α — a safe but late bound.
 */
export type SequentialKind = 'discordant_mixture' | 'betting';

/** Everything the test needs to carry from one pair to the next: plain numbers, so a workflow can keep it. */
export interface SequentialState {
  kind: SequentialKind;
  pairs: number;
  /** Tasks the variant did worse / better on (any fall or rise in pass fraction). */
  regressions: number;
  improvements: number;
  /** Σ d and Σ d² over the pairs so far. */
  differenceSum: number;
  squaresSum: number;
  /** log K⁺ and log K⁻ (betting only). */
  logUp: number;
  logDown: number;
  /** log E now. */
  logEvidence: number;
  /** log of the largest E seen so far. */
  logMaxEvidence: number;
  /** Set the first time E reaches 1/α, and kept. */
  decided: { verdict: Exclude<Verdict, 'no_difference'>; afterPairs: number; alpha: number } | null;
}

/** Where the test stands after the pairs fed so far. */
export interface SequentialVerdict {
  status: 'decided' | 'undecidable' | 'continue';
  verdict: Verdict;
  evidence: number;
  /** Anytime-valid p-value: min(1, 1 / the largest evidence so far). */
  pValue: number;
}

/** Prior of the discordant mixture: Beta(4, 4) on the share of discordant tasks that improved. */
export const MIXTURE_PRIOR = 4;
/** Largest bet per task of the betting e-process. */
export const LARGEST_BET = 0.5;

/** The e-process suited to the runs' repeats, decided before the run starts. */
export function sequentialKind(baselineRepeats: number, variantRepeats: number): SequentialKind {
  return baselineRepeats === 1 && variantRepeats === 1 ? 'discordant_mixture' : 'betting';
}

/** The state before any pair. */
export function startSequentialTest(kind: SequentialKind): SequentialState {
  return { kind, pairs: 0, regressions: 0, improvements: 0, differenceSum: 0, squaresSum: 0, logUp: 0, logDown: 0, logEvidence: 0, logMaxEvidence: 0, decided: null };
}

/**
 * The state after one more pair (fed in the seeded order; see the rule above). `alpha` only records when E first
 * reached 1/α, so a decision is kept even if later pairs lower E.
 */
export function observePair(state: SequentialState, pair: PairedTask, alpha = 0.05): SequentialState {
  checkAlpha(alpha);
  if (pair.baseline.finished === 0 || pair.variant.finished === 0) throw new RangeError(`Task ${pair.taskId} has not finished in both runs.`);
  if (state.kind === 'discordant_mixture' && (pair.baseline.finished !== 1 || pair.variant.finished !== 1)) {
    throw new RangeError(`Task ${pair.taskId} has repeats; the discordant mixture is for runs of one repeat.`);
  }
  const d = taskDifference(pair);
  const next: SequentialState = {
    ...state,
    pairs: state.pairs + 1,
    regressions: state.regressions + (d < 0 ? 1 : 0),
    improvements: state.improvements + (d > 0 ? 1 : 0),
    differenceSum: state.differenceSum + d,
    squaresSum: state.squaresSum + d * d,
  };
  if (state.kind === 'betting') {
    const bet = Math.max(-LARGEST_BET, Math.min(LARGEST_BET, state.differenceSum / (1 + state.squaresSum)));
    next.logUp = state.logUp + Math.log1p(Math.max(bet, 0) * d);
    next.logDown = state.logDown + Math.log1p(Math.max(-bet, 0) * -d);
  }
  const logEvidence = evidenceOf(next);
  next.logEvidence = logEvidence;
  next.logMaxEvidence = Math.max(state.logMaxEvidence, logEvidence);
  if (next.decided === null && logEvidence >= -Math.log(alpha) && next.differenceSum !== 0) {
    next.decided = { verdict: next.differenceSum > 0 ? 'better' : 'worse', afterPairs: next.pairs, alpha };
  }
  return next;
}

/** Where the test stands, with `remaining` tasks still to be fed. */
export function sequentialVerdict(state: SequentialState, remaining: number, alpha = 0.05): SequentialVerdict {
  checkAlpha(alpha);
  if (!Number.isInteger(remaining) || remaining < 0) throw new RangeError(`remaining must be a whole number ≥ 0, got ${remaining}.`);
  const logEvidence = state.logEvidence;
  const figures = { evidence: Math.exp(logEvidence), pValue: Math.min(1, Math.exp(-state.logMaxEvidence)) };
  if (state.decided !== null && state.decided.alpha <= alpha) return { status: 'decided', verdict: state.decided.verdict, ...figures };
  if (logEvidence >= -Math.log(alpha) && state.differenceSum !== 0) {
    return { status: 'decided', verdict: state.differenceSum > 0 ? 'better' : 'worse', ...figures };
  }
  const undecidable = highestReachable(state, remaining) < -Math.log(alpha);
  return { status: undecidable ? 'undecidable' : 'continue', verdict: 'no_difference', ...figures };
}

/**
 * The anytime-valid p-value of a run's pairs fed in the run's order, min(1, 1 / the largest E): valid wherever the run
 * stopped (decided, undecidable, at its spend cap, or at its end), so it is the p-value a run that could stop early is
 * judged by; a fixed-size test on data whose size depended on the data is not valid.
 * @example anytimePValue('discordant_mixture', elevenRegressions) // ≤ 0.05
 */
export function anytimePValue(kind: SequentialKind, pairs: readonly PairedTask[]): number {
  let state = startSequentialTest(kind);
  for (const pair of pairs) state = observePair(state, pair);
  return Math.min(1, Math.exp(-state.logMaxEvidence));
}

/** log E of a state, from its counts. */
function evidenceOf(state: SequentialState): number {
  if (state.kind === 'discordant_mixture') return logMixture(state.regressions, state.improvements);
  const larger = Math.max(state.logUp, state.logDown);
  return larger + Math.log((Math.exp(state.logUp - larger) + Math.exp(state.logDown - larger)) / 2);
}

// log B(x, y) through log Γ: for the counts of a run (thousands at most) it is exact to about 1e-12, plenty for a
// threshold of log 20, and a third of the cost of a dedicated log-beta in a test looked at after every task.
const logBeta = (x: number, y: number) => gammaln(x) + gammaln(y) - gammaln(x + y);

/** log E of the discordant mixture after `regressions` and `improvements` (also the confidence sequence's evidence at 0). */
export function logMixture(regressions: number, improvements: number): number {
  const a = MIXTURE_PRIOR;
  return (regressions + improvements) * Math.LN2 + logBeta(a + improvements, a + regressions) - logBeta(a, a);
}

// The highest log E any continuation through `remaining` more tasks could reach (see the rule above).
function highestReachable(state: SequentialState, remaining: number): number {
  if (state.kind === 'discordant_mixture') {
    return Math.max(
      state.logEvidence,
      logMixture(state.regressions + remaining, state.improvements),
      logMixture(state.regressions, state.improvements + remaining),
    );
  }
  return state.logEvidence + remaining * Math.log1p(LARGEST_BET);
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}.`);
}
