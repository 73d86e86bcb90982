import type { ExperimentPlan } from '../plugin/operations/experiment-plan.js';
import { percent } from './format.js';
import type { ViewPaths } from './view-paths.js';

const points = (fraction: number) => `${(fraction * 100).toFixed(1)} points`;
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/**
 * Where tasks and repeats are chosen: a placeholder that asks for the plan once the page loads and again when the
 * surrounding form changes (its `repeats` go along), so the figure follows what the person is about to run.
 */
export function PlanSlot({ paths, experimentId, variants }: { paths: ViewPaths; experimentId: string; variants?: number }) {
  const url = paths.plan(experimentId, variants === undefined ? {} : { variants: String(variants) });
  return (
    // Its own target and swap, explicitly: inside the experiment page's live section it would otherwise inherit that
    // section as its target and replace it whole.
    <div class="xp-plan" aria-live="polite" hx-get={url} hx-trigger="load, change from:closest form" hx-include="closest form" hx-target="this" hx-swap="innerHTML">
      <p class="xp-hint">Working out what this experiment can detect…</p>
    </div>
  );
}

/** The plan: the smallest detectable difference, the tasks a typed difference needs, and a warning for the hypothesis. */
export function PlanHint({ paths, experimentId, plan }: { paths: ViewPaths; experimentId: string; plan: ExperimentPlan }) {
  const { detectable, hypothesis, typed } = plan;
  const size = detectable.improvement ?? detectable.regression;
  const source = plan.baseline.measured
    ? `from the baseline's results (pass rate ${percent(plan.baseline.passRate)}${plan.baseline.discordance === undefined ? '' : ', and how often its repeats disagree'})`
    : 'assuming a 50% pass rate and independent outcomes until the baseline has run';
  const test = plan.repeats === 1 && plan.baselineRepeats === 1 ? 'exact McNemar test' : 'exact permutation test on the tasks’ pass fractions';
  return (
    <div class="xp-plan-figures" data-detectable={size === null ? '' : size.toFixed(4)}>
      <p class="xp-hint">
        {plan.tasks === 0 ? (
          'Select tasks to see what the experiment can detect.'
        ) : size === null ? (
          <>
            With {plural(plan.tasks, 'task')} × {plural(plan.repeats, 'repeat')}, no difference is likely to be detected (80% power).
          </>
        ) : (
          <>
            With {plural(plan.tasks, 'task')} × {plural(plan.repeats, 'repeat')} and {plural(plan.variants, 'variant')} compared (Holm), the
            smallest difference detectable at 80% power is about <strong>{points(size)}</strong> ({test}, {source}).
          </>
        )}
      </p>
      {hypothesis?.tooSmall ? (
        <p class="xp-field-error" role="alert" data-plan-warning="true">
          The hypothesis names a {points(hypothesis.difference)} difference: with {plural(plan.tasks, 'task')} it would be detected only{' '}
          {percent(hypothesis.power, 0)} of the time
          {hypothesis.tasksNeeded === null ? '.' : <>; about {plural(hypothesis.tasksNeeded, 'task')} are needed for 80%.</>}
        </p>
      ) : null}
      <label class="xp-small">
        Tasks needed for a difference of{' '}
        <input
          type="number"
          name="difference"
          min="0.1"
          max="100"
          step="0.1"
          value={typed ? String(Math.round(typed.difference * 1000) / 10) : ''}
          hx-get={paths.plan(experimentId, { variants: String(plan.variants) })}
          hx-trigger="change"
          hx-include="closest form"
          hx-target="closest .xp-plan"
          hx-swap="innerHTML"
        />{' '}
        points
      </label>
      {typed ? (
        <p class="xp-hint" data-tasks-needed={typed.tasksNeeded ?? ''}>
          {typed.tasksNeeded === null
            ? `A ${points(typed.difference)} difference cannot be detected with 80% power by any task set up to a million tasks.`
            : `A ${points(typed.difference)} difference needs about ${plural(typed.tasksNeeded, 'task')} at ${plural(plan.repeats, 'repeat')} each (80% power); these ${plural(plan.tasks, 'task')} give ${percent(typed.power, 0)}.`}
        </p>
      ) : null}
    </div>
  );
}
