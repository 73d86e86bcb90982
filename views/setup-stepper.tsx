import type { Child } from 'hono/jsx';
import { setupSteps, type SetupStep, type ViewPaths } from './view-paths.js';

const stepLabels: Record<SetupStep, string> = {
  describe: 'Name and hypothesis',
  steps: 'Inference steps',
  tasks: 'Tasks',
  baseline: 'Baseline configuration',
  run: 'Run the baseline',
};

export interface SetupFrameProps {
  paths: ViewPaths;
  current: SetupStep;
  /** Absent while the experiment is being created: the later steps are not reachable yet. */
  experiment?: { id: string; name: string };
  children?: Child;
}

/** The frame of the new-experiment flow: where the person is among the five steps, and the step's content. */
export function SetupFrame({ paths, current, experiment, children }: SetupFrameProps) {
  const currentIndex = setupSteps.indexOf(current);
  return (
    <section class="xp-setup" aria-labelledby="setup-heading">
      <p class="xp-breadcrumb">
        <a href={paths.list()}>Experiments</a>
        {experiment ? (
          <>
            {' / '}
            <a href={paths.experiment(experiment.id)}>{experiment.name}</a>
          </>
        ) : null}
      </p>
      <h1 id="setup-heading">{experiment ? `Set up “${experiment.name}”` : 'New experiment'}</h1>
      <nav aria-label="Set-up steps">
        <ol class="xp-stepper">
          {setupSteps.map((step, index) => (
            <li class={index < currentIndex ? 'xp-step-done' : index === currentIndex ? 'xp-step-current' : undefined}>
              {experiment && step !== current ? (
                <a href={paths.setup(experiment.id, step)}>
                  <span class="xp-step-number">{index + 1}</span> {stepLabels[step]}
                </a>
              ) : (
                <span aria-current={step === current ? 'step' : undefined}>
                  <span class="xp-step-number">{index + 1}</span> {stepLabels[step]}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <div class="xp-panel">
        <h2>{stepLabels[current]}</h2>
        {children}
      </div>
    </section>
  );
}
