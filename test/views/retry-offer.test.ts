import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentStatus } from '../../plugin/domain/experiment-status.js';
import { startPluginHarness, type PluginHarness } from '../helpers/plugin-harness.js';
import { seedExperiment, type RunSpec } from '../results/results-fixture.js';
import { queryAll, textOf } from './html.js';
import { mount, viewClient } from './view-client.js';

// Issue 18: a retry re-runs only what could not reach a verdict (errored, timed out, never sent); a plain evaluation
// failure is a result, and retrying it until it passes would be cherry-picking. A completed or archived experiment
// cannot run anything again, so it offers no retry.
let h: PluginHarness;
let view: ReturnType<typeof viewClient>;

beforeAll(async () => {
  h = await startPluginHarness();
  view = viewClient(h);
});
afterAll(async () => {
  await h?.close();
});

async function seeded(status: ExperimentStatus, variantRun: RunSpec) {
  return seedExperiment(h.db, {
    projectId: h.projects.a.id,
    status,
    taskCount: 5,
    baselineRuns: [{ tests: ['P', 'P', 'F', 'P', 'F'] }],
    variants: [{ key: 'A', name: 'Cooler', override: { step: 'classifier', parameter: 'temperature', value: 0.2 }, runs: [variantRun] }],
  });
}

const retryButtons = async (experimentId: string) =>
  queryAll((await view('GET', `${mount}/experiments/${experimentId}`)).doc, '#run-progress button')
    .map(textOf)
    .filter((text) => text.startsWith('Retry'));

describe('the retry offer', () => {
  it('counts errored, timed-out and not-run tests but never plain failures', async () => {
    const experiment = await seeded('idle', { tests: ['F', 'E', 'T', 'P', 'N'] });
    expect(await retryButtons(experiment.id)).toEqual(['Retry 3 errored, timed-out or not-run tests']);
    const run = await h.request('GET', `/experiments/${experiment.id}/runs/${experiment.runIds.A![0]}`);
    expect(run.body.retryable).toBe(3);
  });

  it('is not offered for a run whose only misses are evaluation failures, and the API refuses it', async () => {
    const experiment = await seeded('idle', { tests: ['F', 'F', 'P', 'P', 'P'] });
    expect(await retryButtons(experiment.id)).toEqual([]);
    const refused = await h.request('POST', `/experiments/${experiment.id}/runs/${experiment.runIds.A![0]}/retry`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('failed tests are results');
    const tests = await h.db.selectFrom('tests').select('status').where('run_id', '=', experiment.runIds.A![0]!).execute();
    expect(tests.filter((test) => test.status === 'failed')).toHaveLength(2);
  });

  it.each(['completed', 'archived'] as const)('is not offered on a %s experiment', async (status) => {
    const experiment = await seeded(status, { tests: ['E', 'T', 'P', 'P', 'P'] });
    expect(await retryButtons(experiment.id)).toEqual([]);
    const run = await h.request('GET', `/experiments/${experiment.id}/runs/${experiment.runIds.A![0]}`);
    expect(run.body.retryable).toBe(0);
    expect((await h.request('POST', `/experiments/${experiment.id}/runs/${experiment.runIds.A![0]}/retry`)).status).toBe(409);
  });
});
