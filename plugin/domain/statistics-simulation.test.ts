import { describe, expect, it } from 'vitest';
import { taskPassRate } from './clustered-interval.js';
import { compareWithBaseline, taskPassed, type TaskRule } from './comparison.js';
import { comparisonPower, detectableDifference } from './detectable-difference.js';
import { comparePaired } from './paired-comparison.js';
import { pairedConfidenceSequence } from './paired-confidence-sequence.js';
import { pairedDifferenceInterval } from './paired-difference-interval.js';
import { taskDifference, type PairedTask } from './paired-tasks.js';
import { seededRandom, type Random } from './seeded-random.js';
import { anytimePValue, observePair, sequentialKind, sequentialVerdict, startSequentialTest } from './sequential-test.js';
import { minimumDetectableDifference, wilsonInterval } from './statistics.js';
import type { TaskTally } from './task-outcomes.js';
import { judgeVariants } from './variant-verdicts.js';

// Seeded simulations of the claims the statistics make: interval coverage, the false-verdict rate of two identical
// systems, the power behind the detectable difference, and the sequential test's error rate and speed. Each draws
// from its own seed, so every run sees the same numbers. STATS_SIM_REPORT=1 prints the figures; STATS_SIM_SCALE=n
// runs n times the trials (the figures in docs/benchmarks.md come from a larger run; the bounds below hold at 1).

const SCALE = Number(process.env.STATS_SIM_SCALE ?? 1);
const report = (line: string) => {
  if (process.env.STATS_SIM_REPORT) console.info(line);
};

/** Draws for the simulations: uniform, normal (Box–Muller), gamma (Marsaglia–Tsang 2000), beta, binomial. */
function draws(seed: number) {
  const random: Random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * Math.pow(1 - random(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - random();
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  const beta = (a: number, b: number) => {
    const x = gamma(a);
    return x / (x + gamma(b));
  };
  const binomial = (n: number, p: number) => {
    let passes = 0;
    for (let i = 0; i < n; i++) if (random() < p) passes += 1;
    return passes;
  };
  return { random, beta, binomial };
}

/** Per-task pass probabilities: Beta(1.4, 0.6) has mean 0.7 and spreads tasks from hopeless to sure. */
const HETEROGENEOUS: [number, number] = [1.4, 0.6];

describe('coverage of the task-level interval', () => {
  const tasks = 40;
  const trials = 1000 * SCALE;
  it.each([1, 3, 10])('is near 95% with %i repeats per task, where counting tests was not', (repeats) => {
    const { beta, binomial } = draws(100 + repeats);
    const truth = HETEROGENEOUS[0] / (HETEROGENEOUS[0] + HETEROGENEOUS[1]);
    let covered = 0;
    let naiveCovered = 0;
    for (let trial = 0; trial < trials; trial++) {
      const tallies: TaskTally[] = Array.from({ length: tasks }, (_, i) => ({ taskId: `t${i}`, passes: binomial(repeats, beta(...HETEROGENEOUS)), finished: repeats }));
      const { interval } = taskPassRate(tallies)!;
      if (interval.low <= truth && truth <= interval.high) covered += 1;
      const naive = wilsonInterval(tallies.reduce((sum, t) => sum + t.passes, 0), tasks * repeats);
      if (naive.low <= truth && truth <= naive.high) naiveCovered += 1;
    }
    report(`coverage, ${tasks} tasks × ${repeats} repeats, Beta(1.4, 0.6) tasks: task-level ${covered / trials}, per-test Wilson ${naiveCovered / trials}`);
    // 1,000 trials: a standard error of 0.007 around the true coverage.
    expect(covered / trials).toBeGreaterThan(0.925);
    expect(covered / trials).toBeLessThan(0.975);
    if (repeats === 3) expect(naiveCovered / trials).toBeLessThan(0.9);
    if (repeats === 10) expect(naiveCovered / trials).toBeLessThan(0.75);
  });

  it.each([
    [1, 1],
    [3, 3],
    [1, 10],
  ])('of the paired difference is near 95% (baseline %i repeats, variant %i)', (baselineRepeats, variantRepeats) => {
    const { beta, binomial } = draws(200 + variantRepeats);
    const trials = 1000 * SCALE;
    let covered = 0;
    for (let trial = 0; trial < trials; trial++) {
      const baseline: TaskTally[] = [];
      const variant: TaskTally[] = [];
      for (let i = 0; i < tasks; i++) {
        // The variant gains 10 points on every task that has the room, so the true difference is known exactly:
        // tasks drawn from Beta(3, 3) · 0.9 never pass above 0.9.
        const p = 0.9 * beta(3, 3);
        baseline.push({ taskId: `t${i}`, passes: binomial(baselineRepeats, p), finished: baselineRepeats });
        variant.push({ taskId: `t${i}`, passes: binomial(variantRepeats, p + 0.1), finished: variantRepeats });
      }
      const { interval } = comparePaired(baseline, variant)!;
      if (interval.low <= 0.1 && 0.1 <= interval.high) covered += 1;
    }
    report(`paired-difference coverage, ${tasks} tasks, ${baselineRepeats} vs ${variantRepeats} repeats, true +10 points: ${covered / trials}`);
    expect(covered / trials).toBeGreaterThan(0.925);
    expect(covered / trials).toBeLessThan(0.985);
  });
});

describe('false verdicts between two identical systems', () => {
  const tasks = 40;
  const trials = 1000 * SCALE;
  const alpha = 0.05;

  it.each([
    [1, 1],
    [3, 3],
    [10, 10],
    [1, 3],
    [10, 3],
  ])('stay at most α with %i baseline and %i variant repeats', (baselineRepeats, variantRepeats) => {
    const { beta, binomial } = draws(300 + 10 * baselineRepeats + variantRepeats);
    // A false verdict is judged on a given task set: the tasks are drawn once, their outcomes every trial.
    const p = Array.from({ length: tasks }, () => beta(...HETEROGENEOUS));
    let verdicts = 0;
    for (let trial = 0; trial < trials; trial++) {
      const baseline: TaskTally[] = [];
      const variant: TaskTally[] = [];
      for (let i = 0; i < tasks; i++) {
        baseline.push({ taskId: `t${i}`, passes: binomial(baselineRepeats, p[i]!), finished: baselineRepeats });
        variant.push({ taskId: `t${i}`, passes: binomial(variantRepeats, p[i]!), finished: variantRepeats });
      }
      const comparison = comparePaired(baseline, variant)!;
      if (judgeVariants([comparison], alpha)[0]!.verdict !== 'no_difference') verdicts += 1;
    }
    report(`false verdicts, ${tasks} tasks, ${baselineRepeats} vs ${variantRepeats} repeats: ${verdicts / trials}`);
    expect(verdicts / trials).toBeLessThanOrEqual(alpha);
  });

  it('stay at most α where the old task rules said "better" almost always (issue 14: all vs majority)', () => {
    // Issue 14's case: 40 tasks, 3 repeats, every repeat passing with probability 0.7, baseline judged by `all` and
    // the variant by `majority` — the same system.
    const { binomial } = draws(400);
    let verdicts = 0;
    let oldVerdicts = 0;
    for (let trial = 0; trial < trials; trial++) {
      const baseline: TaskTally[] = Array.from({ length: tasks }, (_, i) => ({ taskId: `t${i}`, passes: binomial(3, 0.7), finished: 3 }));
      const variant: TaskTally[] = Array.from({ length: tasks }, (_, i) => ({ taskId: `t${i}`, passes: binomial(3, 0.7), finished: 3 }));
      if (judgeVariants([comparePaired(baseline, variant)!], alpha)[0]!.verdict !== 'no_difference') verdicts += 1;
      const passedBy = (rule: TaskRule, tally: TaskTally) => taskPassed(rule, tally.passes, tally.finished);
      const regressions = baseline.filter((b, i) => passedBy('all', b) && !passedBy('majority', variant[i]!)).length;
      const improvements = baseline.filter((b, i) => !passedBy('all', b) && passedBy('majority', variant[i]!)).length;
      const old = compareWithBaseline({ passed: baseline.filter((b) => passedBy('all', b)).length, total: tasks }, [
        { passed: variant.filter((v) => passedBy('majority', v)).length, total: tasks, regressions, improvements },
      ]);
      if (old[0]!.verdict !== 'no_difference') oldVerdicts += 1;
    }
    report(`false verdicts, issue 14's all-vs-majority case: ${verdicts / trials} (old task rules: ${oldVerdicts / trials})`);
    expect(verdicts / trials).toBeLessThanOrEqual(alpha);
    expect(oldVerdicts / trials).toBeGreaterThan(0.9);
  });

  it('stay at most α across three identical variants with Holm', () => {
    const { beta, binomial } = draws(500);
    const p = Array.from({ length: tasks }, () => beta(...HETEROGENEOUS));
    let anyVerdict = 0;
    for (let trial = 0; trial < trials; trial++) {
      const run = (repeats: number): TaskTally[] => p.map((pi, i) => ({ taskId: `t${i}`, passes: binomial(repeats, pi), finished: repeats }));
      const baseline = run(3);
      const judged = judgeVariants([comparePaired(baseline, run(3)), comparePaired(baseline, run(1)), comparePaired(baseline, run(10))], alpha);
      if (judged.some((j) => j!.verdict !== 'no_difference')) anyVerdict += 1;
    }
    report(`family-wise false verdicts, three identical variants (3, 1, 10 repeats) vs a 3-repeat baseline: ${anyVerdict / trials}`);
    expect(anyVerdict / trials).toBeLessThanOrEqual(alpha);
  });
});

describe('power at the detectable difference', () => {
  const trials = 2000 * SCALE;
  it.each([
    [40, 0.5, 1],
    [100, 0.7, 3],
  ])('exact McNemar reaches a power of 0.8 at the figure shown (%i tasks at %d, %i variants), the old figure did not', (tasks, passRate, variants) => {
    const level = 0.05 / variants;
    const improvement = detectableDifference({ tasks, passRate, variants }).improvement!;
    const old = minimumDetectableDifference(passRate, tasks)!;
    const simulate = (difference: number, seed: number) => {
      const { binomial } = draws(seed);
      let rejected = 0;
      for (let trial = 0; trial < trials; trial++) {
        const baseline = Array.from({ length: tasks }, (_, i) => ({ taskId: `t${i}`, passes: binomial(1, passRate), finished: 1 }));
        const variant = Array.from({ length: tasks }, (_, i) => ({ taskId: `t${i}`, passes: binomial(1, passRate + difference), finished: 1 }));
        const comparison = comparePaired(baseline, variant)!;
        if (comparison.pValue <= level && comparison.points > 0) rejected += 1;
      }
      return rejected / trials;
    };
    const power = simulate(improvement, 600 + tasks);
    const oldPower = simulate(old, 700 + tasks);
    report(`power, ${tasks} tasks at ${passRate}, ${variants} variant(s): at ${(100 * improvement).toFixed(1)} pts ${power}; at the old ${(100 * old).toFixed(1)} pts ${oldPower}`);
    // The computed power is exact; the simulation agrees within three standard errors (0.009 at 2,000 trials).
    expect(comparisonPower({ tasks, passRate, variants }, improvement)).toBeGreaterThanOrEqual(0.8);
    expect(Math.abs(power - comparisonPower({ tasks, passRate, variants }, improvement))).toBeLessThan(0.027);
    expect(oldPower).toBeLessThan(0.6);
  });

  it.each([
    [40, 3, 3],
    [40, 1, 3],
    [20, 10, 10],
  ])('with repeats, the normal approximation is close (%i tasks, %i baseline and %i variant repeats)', (tasks, baselineRepeats, repeats) => {
    const plan = { tasks, passRate: 0.7, repeats, baselineRepeats };
    const improvement = detectableDifference(plan).improvement!;
    const { binomial } = draws(800 + tasks + repeats);
    const trials = 1000 * SCALE;
    let rejected = 0;
    for (let trial = 0; trial < trials; trial++) {
      const baseline = Array.from({ length: tasks }, (_, i) => ({ taskId: `t${i}`, passes: binomial(baselineRepeats, 0.7), finished: baselineRepeats }));
      const variant = Array.from({ length: tasks }, (_, i) => ({ taskId: `t${i}`, passes: binomial(repeats, 0.7 + improvement), finished: repeats }));
      const comparison = comparePaired(baseline, variant)!;
      if (comparison.pValue <= 0.05 && comparison.points > 0) rejected += 1;
    }
    report(`power with repeats, ${tasks} tasks, ${baselineRepeats} vs ${repeats}: at ${(100 * improvement).toFixed(1)} pts ${rejected / trials}`);
    // An approximation: within about three standard errors (0.013 at 1,000 trials) of 0.8.
    expect(rejected / trials).toBeGreaterThan(0.76);
  });
});

describe('the sequential test', () => {
  const tasks = 500;
  const alpha = 0.05;

  /** Runs one variant against a baseline task by task, looking after every pair; the task at which it stopped. */
  function runSequential(
    d: ReturnType<typeof draws>,
    baselineRepeats: number,
    variantRepeats: number,
    pass: (task: number) => [number, number],
  ): { status: 'decided' | 'undecidable' | 'continue'; verdict: string; stoppedAt: number; pairs: PairedTask[] } {
    let state = startSequentialTest(sequentialKind(baselineRepeats, variantRepeats));
    const pairs: PairedTask[] = [];
    for (let task = 0; task < tasks; task++) {
      const [p, q] = pass(task);
      const pair = {
        taskId: `t${task}`,
        baseline: { taskId: `t${task}`, passes: d.binomial(baselineRepeats, p), finished: baselineRepeats },
        variant: { taskId: `t${task}`, passes: d.binomial(variantRepeats, q), finished: variantRepeats },
      };
      pairs.push(pair);
      state = observePair(state, pair, alpha);
      const verdict = sequentialVerdict(state, tasks - task - 1, alpha);
      if (verdict.status !== 'continue') return { status: verdict.status, verdict: verdict.verdict, stoppedAt: task + 1, pairs };
    }
    return { status: 'continue', verdict: 'no_difference', stoppedAt: tasks, pairs };
  }

  it.each([
    [1, 1],
    [3, 3],
    [1, 3],
  ])('keeps false verdicts at most α with a look after every task (%i vs %i repeats)', (baselineRepeats, variantRepeats) => {
    const d = draws(900 + 10 * baselineRepeats + variantRepeats);
    const trials = 400 * SCALE;
    const p = Array.from({ length: tasks }, () => d.beta(...HETEROGENEOUS));
    let verdicts = 0;
    for (let trial = 0; trial < trials; trial++) {
      if (runSequential(d, baselineRepeats, variantRepeats, (task) => [p[task]!, p[task]!]).status === 'decided') verdicts += 1;
    }
    report(`sequential false verdicts, ${tasks} tasks, ${baselineRepeats} vs ${variantRepeats} repeats, every look: ${verdicts / trials}`);
    expect(verdicts / trials).toBeLessThanOrEqual(alpha);
  });

  it.each([
    [1, 1],
    [3, 3],
  ])('decides a real 15-point difference at 500 tasks early (%i vs %i repeats)', (baselineRepeats, variantRepeats) => {
    const d = draws(1000 + variantRepeats);
    const trials = 400 * SCALE;
    const stops: number[] = [];
    let wrong = 0;
    for (let trial = 0; trial < trials; trial++) {
      // Every task's pass probability 0.6 in the baseline and 0.75 in the variant.
      const outcome = runSequential(d, baselineRepeats, variantRepeats, () => [0.6, 0.75]);
      if (outcome.status === 'decided') stops.push(outcome.stoppedAt);
      if (outcome.verdict === 'worse') wrong += 1;
    }
    stops.sort((a, b) => a - b);
    const median = stops[Math.floor(stops.length / 2)]!;
    const share = stops.length / trials;
    report(`sequential, +15 points (0.60 → 0.75), ${tasks} tasks, ${baselineRepeats} vs ${variantRepeats} repeats: decided ${share}, median tasks to decision ${median}, quartiles ${stops[Math.floor(stops.length / 4)]}–${stops[Math.floor((3 * stops.length) / 4)]}, wrong direction ${wrong}`);
    expect(share).toBeGreaterThan(0.9);
    expect(median).toBeLessThan(tasks / 2);
    expect(wrong).toBe(0);
  });

  it.each([
    [1, 1, 0],
    [3, 3, 0],
    [1, 1, 0.15],
    [3, 3, 0.15],
    [1, 3, 0.15],
  ])('has its confidence sequence cover the true difference where the run stopped (%i vs %i repeats, true difference %d)', (baselineRepeats, variantRepeats, truth) => {
    // Fresh tasks every trial, each gaining exactly `truth` (tasks drawn from 0.85 · Beta(3, 3) have the room), so the
    // mean difference is known for the task set and for the population alike. The run stops where the sequential test
    // would stop it (decided or undecidable), looking after every task: the realistic, data-dependent stop.
    const d = draws(1100 + 100 * truth + 10 * baselineRepeats + variantRepeats);
    const trials = 100 * SCALE;
    let covered = 0;
    let fixedCovered = 0;
    let disagree = 0;
    for (let trial = 0; trial < trials; trial++) {
      const p = Array.from({ length: tasks }, () => 0.85 * d.beta(3, 3));
      const { pairs } = runSequential(d, baselineRepeats, variantRepeats, (task) => [p[task]!, p[task]! + truth]);
      const interval = pairedConfidenceSequence(sequentialKind(baselineRepeats, variantRepeats), pairs.map(taskDifference));
      if (interval.low <= truth && truth <= interval.high) covered += 1;
      const fixed = pairedDifferenceInterval(pairs)!;
      if (fixed.low <= truth && truth <= fixed.high) fixedCovered += 1;
      // The results judge the run by the anytime p-value; does the interval say the same about 0?
      const excludesZero = interval.low > 0 || interval.high < 0;
      if (excludesZero !== anytimePValue(sequentialKind(baselineRepeats, variantRepeats), pairs) <= alpha) disagree += 1;
    }
    report(`confidence sequence at the sequential stop, ${baselineRepeats} vs ${variantRepeats} repeats, true difference ${truth}: coverage ${covered / trials} (fixed-size interval at the same stop ${fixedCovered / trials}); interval and anytime p-value disagree about 0 in ${disagree / trials}`);
    expect(covered / trials).toBeGreaterThanOrEqual(1 - alpha);
    // The sequence's evidence at 0 is the run's own test's, so they cannot disagree.
    expect(disagree).toBe(0);
  });
});
