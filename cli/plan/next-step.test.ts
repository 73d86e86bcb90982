import { describe, expect, it } from 'vitest';
import type { ApiExperiment, ApiRunEntry, ApiVariant } from '../api/api-types.js';
import { parseDefinition } from '../definition/load-definition.js';
import { nextStep, type Memory } from './next-step.js';
import type { TaskChoice } from './task-choice.js';

const yaml = `name: Plan
hypothesis: cooler is better
steps: [classifier]
tasks: [t1, t2]
baseline:
  classifier: { temperature: 0.5 }
variants:
  - name: child
    parent: cool
    change: { classifier: { model: big } }
  - name: cool
    change: { classifier: { temperature: 0 } }
`;
const { definition } = parseDefinition('plan.yaml', yaml);
const tasks: TaskChoice = { kind: 'ids', ids: ['t1', 't2'] };
const fresh = (): Memory => ({ started: new Set(), gaveUp: new Set() });

const variant = (id: string, name: string, parentId: string | null, override: ApiVariant['override']): ApiVariant => ({
  id,
  name,
  parentId,
  isBaseline: parentId === null,
  status: 'draft',
  override,
  effectiveConfig: {},
  createdAt: '2026-12-01T00:00:00Z',
});
const baseline = variant('b', 'Baseline', null, null);
const cool = variant('v1', 'cool', 'b', { step: 'classifier', parameter: 'temperature', value: 0 });
const child = variant('v2', 'child', 'v1', { step: 'classifier', parameter: 'model', value: 'big' });

const experiment = (
  status: ApiExperiment['status'],
  variants: ApiVariant[] = [baseline],
  extra: Partial<ApiExperiment> = {},
): ApiExperiment => ({
  id: 'e',
  name: 'Plan',
  description: 'cooler is better',
  status,
  createdAt: '2026-12-01T00:00:00Z',
  lockedAt: null,
  winnerVariantId: null,
  baselineConfig: { classifier: { temperature: 0.5 } },
  stepIds: ['classifier'],
  taskIds: ['t2', 't1'],
  taskCount: 2,
  variants,
  ...extra,
});
const run = (id: string, variantId: string, status: ApiRunEntry['status'], number = 1): ApiRunEntry => ({
  id,
  variantId,
  number,
  isBaseline: variantId === 'b',
  status,
  total: 2,
  createdAt: '2026-12-01T00:00:00Z',
  finishedAt: null,
});

describe('nextStep', () => {
  it('builds a new experiment step by step: create, select, configure, run the baseline', () => {
    expect(nextStep(definition, tasks, { experiment: null, runs: [] }, fresh())).toEqual({ kind: 'create_experiment' });
    const draft = experiment('draft', [], { description: '', stepIds: [], taskIds: [], taskCount: 0, baselineConfig: {} });
    expect(nextStep(definition, tasks, { experiment: draft, runs: [] }, fresh())).toEqual({
      kind: 'update_experiment',
      body: { description: 'cooler is better', inferenceSteps: ['classifier'], taskIds: ['t1', 't2'] },
    });
    const selected = experiment('baseline_pending', [], { baselineConfig: {} });
    expect(nextStep(definition, tasks, { experiment: selected, runs: [] }, fresh())).toEqual({
      kind: 'set_baseline',
      config: { classifier: { temperature: 0.5 } },
    });
    expect(nextStep(definition, tasks, { experiment: experiment('baseline_pending'), runs: [] }, fresh())).toEqual({
      kind: 'start_run',
      variantId: 'b',
      label: 'baseline',
    });
  });

  it('waits for a run under way, whoever started it', () => {
    const memory = fresh();
    memory.started.add('r1');
    expect(nextStep(definition, tasks, { experiment: experiment('running_baseline'), runs: [run('r1', 'b', 'running')] }, memory)).toEqual({
      kind: 'wait_run',
      runId: 'r1',
      label: 'baseline',
      startedHere: true,
    });
    expect(
      nextStep(
        definition,
        tasks,
        { experiment: experiment('running_variant', [baseline, cool]), runs: [run('r2', 'v1', 'pending')] },
        fresh(),
      ),
    ).toMatchObject({
      kind: 'wait_run',
      label: 'cool',
      startedHere: false,
    });
  });

  it('after the baseline, creates variants parents first, then runs those without a completed run', () => {
    const runs = [run('r1', 'b', 'completed')];
    expect(nextStep(definition, tasks, { experiment: experiment('baseline_complete'), runs }, fresh())).toEqual({
      kind: 'create_variant',
      variant: definition.variants.find((v) => v.name === 'cool'),
      parentId: 'b',
    });
    expect(nextStep(definition, tasks, { experiment: experiment('baseline_complete', [baseline, cool]), runs }, fresh())).toMatchObject({
      kind: 'create_variant',
      variant: { name: 'child' },
      parentId: 'v1',
    });
    const all = [baseline, cool, child];
    expect(nextStep(definition, tasks, { experiment: experiment('baseline_complete', all), runs }, fresh())).toEqual({
      kind: 'start_run',
      variantId: 'v1',
      label: 'cool',
    });
    const coolDone = [run('r2', 'v1', 'completed'), ...runs];
    expect(nextStep(definition, tasks, { experiment: experiment('idle', all), runs: coolDone }, fresh())).toEqual({
      kind: 'start_run',
      variantId: 'v2',
      label: 'child',
    });
    expect(
      nextStep(definition, tasks, { experiment: experiment('idle', all), runs: [run('r3', 'v2', 'completed'), ...coolDone] }, fresh()),
    ).toEqual({ kind: 'done' });
  });

  it('runs a variant whose earlier run failed again, but not one that failed in this invocation', () => {
    const all = [baseline, cool, child];
    const runs = [run('r3', 'v2', 'completed'), run('r2', 'v1', 'failed'), run('r1', 'b', 'completed')];
    expect(nextStep(definition, tasks, { experiment: experiment('idle', all), runs }, fresh())).toMatchObject({
      kind: 'start_run',
      variantId: 'v1',
    });
    const memory = fresh();
    memory.gaveUp.add('v1');
    expect(nextStep(definition, tasks, { experiment: experiment('idle', all), runs }, memory)).toEqual({ kind: 'done' });
    const failedBaseline = fresh();
    failedBaseline.gaveUp.add('b');
    expect(
      nextStep(definition, tasks, { experiment: experiment('baseline_failed'), runs: [run('r1', 'b', 'cancelled')] }, failedBaseline),
    ).toMatchObject({
      kind: 'blocked',
      message: expect.stringContaining('The baseline run #1 ended cancelled'),
    });
  });

  it('refuses a file that differs from a locked experiment, or from a variant of the same name, at the fields that differ', () => {
    const locked = experiment(
      'idle',
      [baseline, variant('v1', 'cool', 'b', { step: 'classifier', parameter: 'temperature', value: 0.1 })],
      {
        baselineConfig: { classifier: { temperature: 0.4 } },
        taskIds: ['t1'],
        taskCount: 1,
      },
    );
    const step = nextStep(definition, tasks, { experiment: locked, runs: [run('r1', 'b', 'completed')] }, fresh());
    expect(step.kind).toBe('conflict');
    expect(step.kind === 'conflict' && step.problems.map((problem) => problem.path)).toEqual([
      ['tasks'],
      ['baseline', 'classifier', 'temperature'],
      ['variants', 1, 'change'],
    ]);
  });

  it('selects a dataset (and split) as the task source once, and holds a locked experiment to it', () => {
    const odd: TaskChoice = { kind: 'source', sourceId: 'RGF0YXNldDox', splits: ['odd'], label: 'dataset "cases" (split "odd")' };
    const draft = experiment('draft', [], {
      description: 'cooler is better',
      stepIds: ['classifier'],
      taskIds: [],
      taskCount: 0,
      taskSource: null,
    });
    expect(nextStep(definition, odd, { experiment: draft, runs: [] }, fresh())).toEqual({
      kind: 'update_experiment',
      body: { taskSource: { sourceId: 'RGF0YXNldDox', splits: ['odd'] } },
    });
    // The same ids chosen by the tab from the same source: nothing to send; the baseline is next.
    const selected = experiment('baseline_pending', [baseline], { taskSource: { sourceId: 'RGF0YXNldDox', splits: ['odd'] } });
    expect(nextStep(definition, odd, { experiment: selected, runs: [] }, fresh())).toMatchObject({ kind: 'start_run', label: 'baseline' });
    // Listing those ids by hand instead makes them ids again (no longer "all of the source").
    expect(nextStep(definition, { kind: 'ids', ids: ['t1', 't2'] }, { experiment: selected, runs: [] }, fresh())).toEqual({
      kind: 'update_experiment',
      body: { taskIds: ['t1', 't2'] },
    });
    // Locked on the even split (pinned): the file's odd split is refused at the split, another dataset at the
    // dataset; the same split is what the experiment holds.
    const even = { sourceId: 'RGF0YXNldDox', splits: ['even'], version: 'V1' };
    const locked = experiment('idle', [baseline, cool, child], { taskSource: even });
    const runs = [run('r3', 'v2', 'completed'), run('r2', 'v1', 'completed'), run('r1', 'b', 'completed')];
    const other = nextStep(definition, { ...odd, sourceId: 'RGF0YXNldDoy' }, { experiment: locked, runs }, fresh());
    expect(other.kind === 'conflict' && other.problems.map((problem) => problem.path)).toEqual([['tasks', 'phoenix_dataset']]);
    const step = nextStep(definition, odd, { experiment: locked, runs }, fresh());
    expect(step).toEqual({
      kind: 'conflict',
      problems: [
        {
          path: ['tasks', 'split'],
          message: expect.stringContaining('locked since its baseline completed with the 2 tasks of source RGF0YXNldDox (split even)'),
        },
      ],
    });
    expect(nextStep(definition, { ...odd, splits: ['even'] }, { experiment: locked, runs }, fresh())).toEqual({ kind: 'done' });
  });

  it('says a completed experiment takes no new variant', () => {
    const step = nextStep(definition, tasks, { experiment: experiment('completed'), runs: [run('r1', 'b', 'completed')] }, fresh());
    expect(step).toMatchObject({
      kind: 'blocked',
      message: expect.stringContaining('The experiment is completed, so it takes no new variant ("cool")'),
    });
  });
});
