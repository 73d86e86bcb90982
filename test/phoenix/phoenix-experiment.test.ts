import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig, demoInferenceSteps, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { startPhoenixStack, waitForPhoenixRun, type PhoenixStack } from '../helpers/phoenix-stack.js';
import { eventually } from '../helpers/phoenix-trace-sender.js';
import { expectTracesInPhoenix, listRunTests, type PhoenixTestRow } from '../helpers/phoenix-run-checks.js';

// The whole of `npm run start:phoenix`, real: a Phoenix (auth on), the Python demo app with the openai client and
// OpenInference, the plugin in the Phoenix shell pulling spans from Phoenix, a Temporal worker. The app pretends not
// to support the response generator's temperature, so a variant changing it must be flagged from the trace.
let stack: PhoenixStack;

beforeAll(async () => {
  stack = await startPhoenixStack({ ignoreOverrides: ['response_generator.temperature'] });
});
afterAll(async () => {
  await stack?.close();
});

async function run(
  experimentId: string,
  variantId: string,
): Promise<{
  status: string;
  runId: string;
  counts: { total: number; passed: number; failed: number; errored: number; timedOut: number };
  rows: PhoenixTestRow[];
}> {
  const started = await stack.experiments('POST', `/experiments/${experimentId}/variants/${variantId}/runs`, {
    concurrency: 8,
    traceTimeoutSeconds: 60,
  });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const finished = await waitForPhoenixRun(stack, experimentId, started.body.runId);
  return {
    status: finished.status,
    runId: started.body.runId,
    counts: finished.counts,
    rows: await listRunTests(stack, experimentId, started.body.runId),
  };
}

describe('choosing the tasks from a Phoenix dataset', () => {
  it('takes a split, and refuses an unknown dataset or split, or task ids beside a source, changing nothing', async () => {
    const created = await stack.experiments('POST', '/experiments', { name: 'Odd ones' });
    const id = created.body.id as string;
    const odd = await stack.experiments('PATCH', `/experiments/${id}`, { taskSource: { sourceId: stack.datasetId, splits: ['odd'] } });
    expect(odd.status, JSON.stringify(odd.body)).toBe(200);
    expect(odd.body.taskCount).toBe(Math.floor(demoTasks.length / 2));
    expect(odd.body.taskSource).toEqual({ sourceId: stack.datasetId, splits: ['odd'] });
    const sources = await stack.shell.host.tasks.sources!(stack.projectId);
    expect(
      sources
        .find((source) => source.id === stack.datasetId)
        ?.splits?.map((split) => split.name)
        .sort(),
    ).toEqual(['even', 'odd']);

    for (const [body, status] of [
      [{ taskSource: { sourceId: stack.datasetId, splits: ['nope'] } }, 422],
      [{ taskSource: { sourceId: 'RGF0YXNldDo5OTk5OTk=' } }, 422],
      [{ taskSource: { sourceId: stack.datasetId }, taskIds: ['x'] }, 400],
      [{ taskSource: { sourceId: '' } }, 400],
    ] as const) {
      const refused = await stack.experiments('PATCH', `/experiments/${id}`, body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(status);
    }
    const unchanged = await stack.experiments('GET', `/experiments/${id}`);
    expect(unchanged.body.taskCount).toBe(Math.floor(demoTasks.length / 2));
    expect(unchanged.body.taskSource).toEqual({ sourceId: stack.datasetId, splits: ['odd'] });
    // The tab's task step offers the datasets with their splits, and takes one.
    const tab = `${stack.plugin.manifest.mountPath}/experiments/${id}/setup/tasks`;
    const page = await stack.shell.app.request(tab, { headers: { 'x-api-key': stack.apiKey, accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`value="${stack.datasetId}"`);
    expect(html).toMatch(new RegExp(`name="split:${stack.datasetId.replace(/[=+/]/g, '\\$&')}" value="even"`));
    expect(html).toContain('id="task-source-current"');
    const posted = await stack.shell.app.request(tab, {
      method: 'POST',
      headers: { 'x-api-key': stack.apiKey, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['action', 'source'],
        ['source', stack.datasetId],
        [`split:${stack.datasetId}`, 'even'],
      ]).toString(),
    });
    expect(posted.status).toBe(303);
    const even = await stack.experiments('GET', `/experiments/${id}`);
    expect(even.body.taskSource).toEqual({ sourceId: stack.datasetId, splits: ['even'] });
    expect(even.body.taskCount).toBe(Math.ceil(demoTasks.length / 2));

    // Chosen by id, the tasks are no longer "all of a source".
    const byId = await stack.experiments('PATCH', `/experiments/${id}`, { taskIds: unchanged.body.taskIds.slice(0, 2) });
    expect(byId.status).toBe(200);
    expect(byId.body.taskSource).toBeNull();
  });
});

describe('an experiment over a Phoenix dataset, traced by the Python app into Phoenix', () => {
  let experimentId: string;
  let baselineId: string;

  it('runs the baseline over all 24 examples of the dataset chosen as the task source, and pins its version', async () => {
    expect(demoTasks.length).toBeGreaterThanOrEqual(20);
    const created = await stack.experiments('POST', '/experiments', { name: 'Support bot on Phoenix' });
    experimentId = created.body.id;
    const chosen = await stack.experiments('PATCH', `/experiments/${experimentId}`, {
      inferenceSteps: demoInferenceSteps.map((step) => step.externalId),
      taskSource: { sourceId: stack.datasetId },
    });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body.taskCount).toBe(demoTasks.length);
    expect(chosen.body.taskSource).toEqual({ sourceId: stack.datasetId });
    expect((await stack.experiments('PUT', `/experiments/${experimentId}/baseline`, { config: demoBaselineConfig })).status).toBe(200);
    const experiment = await stack.experiments('GET', `/experiments/${experimentId}`);
    baselineId = (experiment.body.variants as Array<{ id: string; isBaseline: boolean }>).find((v) => v.isBaseline)!.id;

    const baseline = await run(experimentId, baselineId);
    expect(baseline.status).toBe('completed');
    expect(baseline.counts.total).toBe(demoTasks.length);
    expect(baseline.counts.errored).toBe(0);
    expect(baseline.counts.timedOut).toBe(0);
    expect(baseline.counts.passed + baseline.counts.failed).toBe(demoTasks.length);
    expect(baseline.rows.filter((row) => row.status === 'passed')).toHaveLength(baseline.counts.passed);
    expect(baseline.counts.passed).toBeGreaterThan(0);
    // The baseline sends what the app applies: nothing to flag.
    for (const row of baseline.rows) expect(row.overrideMismatches ?? []).toEqual([]);
    for (const row of baseline.rows) expect(row.output).toBeTruthy();
    await expectTracesInPhoenix(stack, baseline.rows);
    const locked = await stack.experiments('GET', `/experiments/${experimentId}`);
    expect(locked.body.taskSource).toEqual({ sourceId: stack.datasetId, version: stack.datasetVersion });
  });

  it('keeps the pinned examples when the dataset changes in Phoenix after the baseline', async () => {
    const appended = await stack.shell.phoenix.datasets.upload({
      name: (await stack.shell.phoenix.datasets.get(stack.datasetId)).name,
      action: 'append',
      inputs: [{ prompt: 'A question added after the baseline ran.' }, { prompt: 'And another one.' }],
    });
    expect(appended.datasetId).toBe(stack.datasetId);
    expect(appended.versionId).not.toBe(stack.datasetVersion);
    expect((await stack.shell.host.tasks.fromSource!(stack.projectId, { sourceId: stack.datasetId })).tasks).toHaveLength(
      demoTasks.length + 2,
    );
    // Choosing the tasks again is refused once locked; the experiment keeps its 24 examples at the pinned version.
    const refused = await stack.experiments('PATCH', `/experiments/${experimentId}`, { taskSource: { sourceId: stack.datasetId } });
    expect(refused.status).toBe(409);
    const experiment = await stack.experiments('GET', `/experiments/${experimentId}`);
    expect(experiment.body.taskCount).toBe(demoTasks.length);
    expect(experiment.body.taskSource.version).toBe(stack.datasetVersion);
  });

  it('runs a variant branched off the baseline and one branched off it, each over all 24 examples', async () => {
    const cooler = await stack.experiments('POST', `/experiments/${experimentId}/variants`, {
      parentId: baselineId,
      name: 'Cooler classifier',
      override: { step: 'classifier', parameter: 'temperature', value: 0 },
    });
    expect(cooler.status, JSON.stringify(cooler.body)).toBe(201);
    const first = await run(experimentId, cooler.body.id);
    expect(first.status).toBe('completed');
    expect(first.counts.total).toBe(demoTasks.length);
    expect(first.counts.passed + first.counts.failed).toBe(demoTasks.length);
    expect(first.counts.errored + first.counts.timedOut).toBe(0);
    for (const row of first.rows) expect(row.overrideMismatches ?? []).toEqual([]);

    // The app ignores the response generator's temperature: every trace records 0.7 where 0.2 was sent.
    const ignored = await stack.experiments('POST', `/experiments/${experimentId}/variants`, {
      parentId: cooler.body.id,
      name: 'Cooler answers too',
      override: { step: 'response_generator', parameter: 'temperature', value: 0.2 },
    });
    expect(ignored.status, JSON.stringify(ignored.body)).toBe(201);
    const second = await run(experimentId, ignored.body.id);
    expect(second.status).toBe('completed');
    expect(second.counts.total).toBe(demoTasks.length);
    expect(second.counts.passed + second.counts.failed).toBe(demoTasks.length);
    for (const row of second.rows) {
      expect(row.overrideMismatches).toEqual([
        expect.objectContaining({ step: 'response_generator', parameter: 'temperature', sent: 0.2, recorded: 0.7 }),
      ]);
    }
    await expectTracesInPhoenix(stack, second.rows);
    await expectResultsInPhoenix(experimentId, second.runId, second.rows);
  });
});

/** The run as a Phoenix experiment on the pinned dataset version: a run per example with output, trace and verdict. */
async function expectResultsInPhoenix(experimentId: string, runId: string, rows: PhoenixTestRow[]) {
  const written = await eventually(async () => {
    const run = await stack.experiments('GET', `/experiments/${experimentId}/runs/${runId}`);
    return run.body.hostResults?.current ? (run.body.hostResults as { url: string }) : undefined;
  }, 60_000);
  const phoenixExperimentId = new URL(written.url).searchParams.get('experimentId')!;
  const phoenixExperiment = await stack.shell.phoenix.experiments.get(phoenixExperimentId);
  expect(phoenixExperiment.dataset_id).toBe(stack.datasetId);
  expect(phoenixExperiment.dataset_version_id).toBe(stack.datasetVersion);
  expect(phoenixExperiment.metadata.experiments_plugin).toMatchObject({ experimentId, runId });
  const annotated = await stack.shell.phoenix.experiments.annotatedRuns(phoenixExperimentId);
  expect(annotated).toHaveLength(rows.length);
  for (const row of rows) {
    const run = annotated.find((candidate) => candidate.example_id === row.taskId)!;
    expect(run.trace_id).toBe(row.traceId);
    expect(run.output).toBe(row.output);
    const verdict = run.annotations.find((annotation) => annotation.name === 'passed');
    expect(verdict?.label).toBe(row.status === 'passed' ? 'pass' : 'fail');
    expect(run.annotations.length).toBeGreaterThan(1);
  }
}
