import binomcoefln from '@stdlib/math-base-special-binomcoefln';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { normalQuantile } from './statistics.js';
import { finishedTasks, type TaskTally } from './task-outcomes.js';

/** What a plan knows of the baseline before the variants run. */
export interface PlanningBaseline {
  /** The baseline's pass rate (mean of its tasks' pass fractions), or a guess of it. */
  passRate: number;
  /**
   * How often two runs of the same configuration disagree on a task, 2·mean pᵢ(1 − pᵢ) over tasks, measured from
   * the baseline's repeats. Unknown, it is taken as 2p(1 − p): every outcome independent of its task.
   */
  discordance?: number;
}

/** An experiment as planned: how many tasks and repeats, how many variants will share the Holm correction. */
export interface Plan extends PlanningBaseline {
  tasks: number;
  /** Repeats per task of each variant's run; 1 unless said. */
  repeats?: number;
  /** Repeats per task of the baseline's run; 1 unless said. */
  baselineRepeats?: number;
  /** Variants to be compared with the baseline (the Holm family); 1 unless said. */
  variants?: number;
  alpha?: number;
  /** The power a detectable difference must reach; 0.8 unless said. */
  power?: number;
}

/** The smallest change of the pass rate, as a fraction, each way, that the plan detects with the power asked; null when no change that way can be. */
export interface DetectableDifference {
  improvement: number | null;
  regression: number | null;
}

/** Whether a task set can detect a named difference, and how many tasks it would take. */
export interface TaskSetCheck {
  power: number;
  tooSmall: boolean;
  /** Tasks needed for the power asked; null when no number of tasks up to a million reaches it. */
  tasksNeeded: number | null;
}

const MOST_TASKS = 1_000_000;

/**
 * The power of the comparison the results will make, for a variant whose pass rate differs from the baseline's by
 * `difference` (a fraction, − for a regression).
 *
 * Planning level: α / variants. Holm rejects at least what Bonferroni rejects, and Bonferroni's first step is
 * α / m, so a difference detectable at α / m is detectable under Holm with at least that power whatever the other
 * variants do (Holm 1979) — a conservative rule that needs nothing unknown before the run.
 *
 * Outcome model: each task has its own pass probability pᵢ (mean p, mean pᵢ(1 − pᵢ) = w = discordance / 2) and the
 * variant shifts every one by the difference δ; so a task regresses with probability w − δp and improves with
 * w + δ(1 − p) (floored at 0 on the side that cannot go lower). With w = p(1 − p) these are p(1 − p − δ) and
 * (1 − p)(p + δ): independent outcomes.
 *
 * When both runs have one repeat the test is exact McNemar and its power is computed exactly: the number of
 * discordant tasks D is Binomial(n, P(regress) + P(improve)), and given D the improvements are Binomial(D, π); the
 * test rejects when the smaller count is at most the largest k with 2·P(Binomial(D, ½) ≤ k) ≤ α'. (The normal
 * formula of the old `minimumDetectableDifference` overstates this power: issue 14.) With repeats the test is the
 * stratified permutation test and its power is its normal approximation: the statistic Σ(fV − fB) has mean nδ and
 * variance n·(wV/kV + wB/kB), and rejects past z·√(n·v₀) where v₀ is the expected conditional (permutation) variance.
 */
export function comparisonPower(plan: Plan, difference: number): number {
  return powerOf(checkPlan(plan), difference);
}

function powerOf(p: CheckedPlan, difference: number): number {
  if (difference === 0) return 0;
  if (!(p.passRate + difference >= 0 && p.passRate + difference <= 1)) return 0;
  const { regress, improve } = flipProbabilities(p.passRate, p.within, difference);
  if (p.repeats === 1 && p.baselineRepeats === 1) return mcnemarPower(p.tasks, regress, improve, p.level);
  return permutationPower(p, difference);
}

// Where the normal approximation puts 80% power, found by bisection on its cheap formula.
function normalGuess(p: CheckedPlan, direction: 1 | -1): number | null {
  const furthest = direction > 0 ? 1 - p.passRate : p.passRate;
  if (permutationPower(p, direction * furthest) < p.power) return null;
  let low = 0;
  let high = furthest;
  while (high - low > 1e-5) {
    const middle = (low + high) / 2;
    if (permutationPower(p, direction * middle) >= p.power) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * The smallest difference, each way, that `plan` detects with the power asked, to 1e-4.
 * @example detectableDifference({ tasks: 40, passRate: 0.5 }) // { improvement: ≈0.32, regression: ≈0.32 }
 */
export function detectableDifference(plan: Plan): DetectableDifference {
  const p = checkPlan(plan);
  const search = (direction: 1 | -1): number | null => {
    const furthest = direction > 0 ? 1 - p.passRate : p.passRate;
    const detects = (size: number) => powerOf(p, direction * size) >= p.power;
    if (furthest <= 0 || !detects(furthest)) return null;
    // Bracket around the normal approximation's answer first: it is close, and exact power costs a few hundred
    // binomial tails per evaluation.
    let high = Math.min(furthest, normalGuess(p, direction) ?? furthest);
    let low = 0;
    if (detects(high)) {
      for (let below = high * 0.85; below > 1e-4; below *= 0.85) {
        if (!detects(below)) {
          low = below;
          break;
        }
        high = below;
      }
    } else {
      low = high;
      high = furthest;
      for (let above = low * 1.2; above < furthest; above *= 1.2) {
        if (detects(above)) {
          high = above;
          break;
        }
        low = above;
      }
    }
    while (high - low > 1e-4) {
      const middle = (low + high) / 2;
      if (detects(middle)) high = middle;
      else low = middle;
    }
    return high;
  };
  return { improvement: search(1), regression: search(-1) };
}

/**
 * The number of tasks at which `plan` (its `tasks` ignored) reaches the power asked for `difference`; null when a
 * million tasks would not. Exact power zigzags as tasks are added, so a few tasks fewer may reach it too.
 */
export function tasksNeeded(plan: Omit<Plan, 'tasks'>, difference: number): number | null {
  const checked = checkPlan({ ...plan, tasks: 0 });
  const powerAt = (tasks: number) => powerOf({ ...checked, tasks }, difference);
  let high = 1;
  while (powerAt(high) < checked.power) {
    if (high >= MOST_TASKS) return null;
    high = Math.min(MOST_TASKS, high * 2);
  }
  let low = Math.floor(high / 2);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (powerAt(middle) >= checked.power) high = middle;
    else low = middle;
  }
  return high;
}

/** Whether the plan's tasks are too few to detect `difference` (the one the hypothesis names) with the power asked. */
export function checkTaskSet(plan: Plan, difference: number): TaskSetCheck {
  const power = comparisonPower(plan, difference);
  const { tasks: _tasks, ...rest } = plan;
  return { power, tooSmall: power < checkPlan(plan).power, tasksNeeded: tasksNeeded(rest, difference) };
}

/**
 * What the baseline's finished run tells a plan: its pass rate and, when some task finished at least two repeats,
 * its discordance (the unbiased 2·c(n − c) / (n(n − 1)) per task, averaged). Null when no task finished.
 */
export function planningBaseline(tallies: readonly TaskTally[]): PlanningBaseline | null {
  const tasks = finishedTasks(tallies);
  if (tasks.length === 0) return null;
  const passRate = tasks.reduce((sum, t) => sum + t.passes / t.finished, 0) / tasks.length;
  const repeated = tasks.filter((t) => t.finished >= 2);
  if (repeated.length === 0) return { passRate };
  const discordance = repeated.reduce((sum, t) => sum + (2 * t.passes * (t.finished - t.passes)) / (t.finished * (t.finished - 1)), 0) / repeated.length;
  return { passRate, discordance: Math.min(discordance, 2 * passRate * (1 - passRate)) };
}

/**
 * Exact power of the two-sided exact McNemar test at level `alpha` over `tasks` pairs, when a task regresses with
 * probability `regress` and improves with probability `improve`.
 */
export function mcnemarPower(tasks: number, regress: number, improve: number, alpha: number): number {
  const discordant = regress + improve;
  if (!(regress >= 0 && improve >= 0 && discordant <= 1 + 1e-12)) {
    throw new RangeError(`regress and improve must be probabilities adding up to at most 1, got ${regress} and ${improve}.`);
  }
  if (tasks === 0 || discordant <= 0) return 0;
  const towardImprove = improve / discordant;
  const sd = Math.sqrt(tasks * discordant * Math.max(0, 1 - discordant));
  // Beyond 8 standard deviations the binomial weights are below 1e-14: nothing worth adding.
  let d = Math.max(0, Math.floor(tasks * discordant - 8 * sd - 1));
  const last = discordant >= 1 ? tasks : Math.min(tasks, Math.ceil(tasks * discordant + 8 * sd + 1));
  if (discordant >= 1) d = tasks;

  // Walking d upwards, every quantity moves by a ratio of neighbouring binomial terms, so one evaluation costs a
  // few hundred multiplications rather than a few hundred incomplete beta functions. The critical count k (the
  // largest with 2·P(Binomial(d, ½) ≤ k) ≤ alpha) never falls as d grows. Errors stay absolute, about 1e-16 a step.
  let k = largestRejected(d, alpha);
  let weight = binomialPmf(d, tasks, discordant);
  const half = tailAt(k, d, 0.5);
  const lower = tailAt(k, d, towardImprove);
  const upper = tailAt(k, d, 1 - towardImprove);
  let power = 0;
  for (;;) {
    // Reject when the improvements are at most k or at least d − k (that is, the regressions at most k).
    if (k >= 0) power += weight * (lower.cdf + upper.cdf);
    if (d >= last) break;
    weight *= ((tasks - d) / (d + 1)) * (discordant / (1 - discordant));
    for (const tail of [half, lower, upper]) addTrial(tail, k, d);
    d += 1;
    while (k + 1 < d / 2 && 2 * (half.cdf + nextTerm(half, k, d)) <= alpha) {
      for (const tail of [half, lower, upper]) raise(tail, k, d);
      k += 1;
    }
  }
  return Math.min(1, power);
}

/** P(Binomial(d, p) = k) and P(Binomial(d, p) ≤ k), carried along as d and k change. */
interface Tail {
  p: number;
  pmf: number;
  cdf: number;
}

function tailAt(k: number, d: number, p: number): Tail {
  if (k < 0) return { p, pmf: 0, cdf: 0 };
  return { p, pmf: binomialPmf(k, d, p), cdf: binomialCdf(k, d, p) };
}

// d → d + 1 at the same k: P(X' ≤ k) = P(X ≤ k) − p·P(X = k).
function addTrial(tail: Tail, k: number, d: number): void {
  if (k < 0) return;
  tail.cdf = Math.max(0, tail.cdf - tail.p * tail.pmf);
  tail.pmf = tail.pmf === 0 ? 0 : tail.pmf * ((d + 1) / (d + 1 - k)) * (1 - tail.p);
}

function nextTerm(tail: Tail, k: number, d: number): number {
  if (k < 0) return (1 - tail.p) ** d;
  if (tail.pmf === 0 || tail.p >= 1) return 0;
  return tail.pmf * ((d - k) / (k + 1)) * (tail.p / (1 - tail.p));
}

// k → k + 1 at the same d.
function raise(tail: Tail, k: number, d: number): void {
  tail.pmf = nextTerm(tail, k, d);
  tail.cdf = Math.min(1, tail.cdf + tail.pmf);
}

// The largest k with 2·P(Binomial(d, ½) ≤ k) ≤ alpha, or −1.
function largestRejected(d: number, alpha: number): number {
  let low = -1;
  let high = Math.floor(d / 2);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (2 * binomialCdf(middle, d, 0.5) <= alpha) low = middle;
    else high = middle - 1;
  }
  return low;
}

function binomialPmf(k: number, n: number, p: number): number {
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  return Math.exp(binomcoefln(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

function flipProbabilities(rate: number, within: number, difference: number): { regress: number; improve: number } {
  if (difference > 0) {
    const regress = Math.max(0, within - difference * rate);
    return { regress, improve: regress + difference };
  }
  const improve = Math.max(0, within + difference * (1 - rate));
  return { regress: improve - difference, improve };
}

function permutationPower(p: CheckedPlan, difference: number): number {
  const kV = p.repeats;
  const kB = p.baselineRepeats;
  const m = kV + kB;
  const share = kV / m;
  const withinVariant = Math.max(0, p.within + difference * (1 - 2 * p.passRate) - difference * difference);
  const pooled = p.within + share * difference * (1 - 2 * p.passRate) - share * share * difference * difference;
  const alternative = withinVariant / kV + p.within / kB;
  const nullVariance = ((m * m) / (kV * kB * (m - 1))) * Math.max(0, pooled - (kB * p.within + kV * withinVariant) / (m * m));
  if (alternative <= 0) return 1;
  const z = normalQuantile(1 - p.level / 2);
  const shift = p.tasks * Math.abs(difference);
  const spread = Math.sqrt(p.tasks * alternative);
  // The statistic moves in steps of (1/kV + 1/kB) reduced to their common lattice; the exact test needs half a
  // step more than the normal curve (a continuity correction), and skipping it overstated power at 20–40 tasks.
  const scale = lcm(kV, kB);
  const halfStep = (scale / kV + scale / kB) / gcd(scale / kV + scale / kB, scale) / scale / 2;
  const bound = z * Math.sqrt(p.tasks * nullVariance) + halfStep;
  return normalCdf((shift - bound) / spread, 0, 1) + normalCdf((-shift - bound) / spread, 0, 1);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

interface CheckedPlan {
  tasks: number;
  passRate: number;
  within: number;
  repeats: number;
  baselineRepeats: number;
  level: number;
  power: number;
}

function checkPlan(plan: Plan): CheckedPlan {
  const { tasks, passRate, discordance, repeats = 1, baselineRepeats = 1, variants = 1, alpha = 0.05, power = 0.8 } = plan;
  if (!Number.isInteger(tasks) || tasks < 0) throw new RangeError(`tasks must be a whole number ≥ 0, got ${tasks}.`);
  for (const [name, value] of [['repeats', repeats], ['baselineRepeats', baselineRepeats], ['variants', variants]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}.`);
  }
  if (!(passRate >= 0 && passRate <= 1)) throw new RangeError(`passRate must be between 0 and 1, got ${passRate}.`);
  if (!(alpha > 0 && alpha < 1) || !(power > 0 && power < 1)) throw new RangeError('alpha and power must be between 0 and 1.');
  const independent = passRate * (1 - passRate);
  if (discordance !== undefined && !(discordance >= 0 && discordance <= 1)) {
    throw new RangeError(`discordance must be between 0 and 1, got ${discordance}.`);
  }
  const within = discordance === undefined ? independent : Math.min(independent, discordance / 2);
  return { tasks, passRate, within, repeats, baselineRepeats, level: alpha / variants, power };
}
