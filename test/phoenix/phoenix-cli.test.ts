import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaselineConfig, demoInferenceSteps, demoTasks } from '../../dev/demo-app/demo-catalog.js';
import { scratchFolder } from '../cli/cli-fixture.js';
import { runCli } from '../helpers/cli-process.js';
import { startPhoenixStack, type PhoenixStack } from '../helpers/phoenix-stack.js';

// `experiments run` with `tasks: { phoenix_dataset, split }`, the real CLI as a child process against the whole of
// `npm run start:phoenix` (Phoenix, the shell with the plugin over HTTP, a Temporal worker, the Python demo app): the
// dataset is found by name through the JSON API, its split becomes the experiment's task source before the baseline
// runs, a second run of the file runs nothing again, and each run's results are written back to Phoenix, whose link
// the CLI prints.

let stack: PhoenixStack;
let server: Server;
let env: Record<string, string>;
let datasetName: string;
const scratch = scratchFolder();
const oddTasks = Math.floor(demoTasks.length / 2);

beforeAll(async () => {
  stack = await startPhoenixStack();
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: stack.shell.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  const { port } = server.address() as { port: number };
  env = { EXPERIMENTS_URL: `http://127.0.0.1:${port}${stack.plugin.manifest.mountPath}`, EXPERIMENTS_API_KEY: stack.apiKey };
  const sources = await stack.shell.host.tasks.sources!(stack.projectId);
  datasetName = sources.find((source) => source.id === stack.datasetId)!.name;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
  scratch.remove();
});

const definition = (tasks: { phoenix_dataset: string; split?: string }) => ({
  name: 'Support bot on the odd split',
  steps: demoInferenceSteps.map((step) => step.externalId),
  tasks,
  baseline: demoBaselineConfig,
  variants: [{ name: 'bigger classifier', change: { classifier: { model: 'gpt-4o' } } }],
  run: { concurrency: 8, traceTimeoutSeconds: 60 },
  gates: [{ variant: 'bigger classifier', fail_if: 'worse' }],
});

const experimentsListed = async () =>
  (await stack.experiments('GET', '/experiments?archived=true')).body.experiments as Array<{ id: string }>;

/** The lines of a refusal that name a place in the file, without the file's name. */
function refusedAt(file: string, result: { code: number | null; stderr: string }) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(/^The definition was refused:$/m);
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith(`${file}:`))
    .map((line) => line.slice(file.length + 1));
}

describe('experiments run over a Phoenix dataset', () => {
  it('refuses a dataset or split the server does not have, at its line, creating nothing', async () => {
    const noDataset = scratch.write('no-dataset.yaml', definition({ phoenix_dataset: 'no-such-dataset' }));
    expect(refusedAt(noDataset, await runCli(['run', noDataset], env))).toEqual([
      expect.stringMatching(
        new RegExp(`^6:20: tasks\\.phoenix_dataset: no dataset "no-such-dataset" on this server; its datasets are .*"${datasetName}"`),
      ),
    ]);
    const noSplit = scratch.write('no-split.yaml', definition({ phoenix_dataset: datasetName, split: 'nope' }));
    expect(refusedAt(noSplit, await runCli(['run', noSplit], env))).toEqual([
      `7:10: tasks.split: dataset "${datasetName}" has no split "nope"; its splits are "even", "odd"`,
    ]);
    expect(await experimentsListed()).toEqual([]);
  });

  it('runs the examples of a split, runs nothing twice, prints where Phoenix shows each run, and holds the file to the split', async () => {
    const file = scratch.write('odd.yaml', definition({ phoenix_dataset: datasetName, split: 'odd' }));
    const first = await runCli(['run', file, '--json', scratch.file('first.json'), '--markdown', scratch.file('first.md')], env);
    expect([0, 1], first.stderr).toContain(first.code);
    expect(first.stderr).toContain(`Tasks: the ${oddTasks} examples of dataset "${datasetName}" (split "odd").`);
    const report = JSON.parse(scratch.read('first.json'));
    // The exit code is the gate's, as decided from the results the API gives.
    const verdict = report.results.variants.find((v: { name: string }) => v.name === 'bigger classifier').vsBaseline.verdict;
    expect(first.code).toBe(verdict === 'worse' ? 1 : 0);

    const experiment = (await stack.experiments('GET', `/experiments/${report.experiment.id}`)).body;
    expect(experiment.taskSource).toEqual({ sourceId: stack.datasetId, splits: ['odd'], version: stack.datasetVersion });
    expect(experiment.taskCount).toBe(oddTasks);
    const baseline = report.results.variants.find((v: { isBaseline: boolean }) => v.isBaseline);
    expect(baseline.total).toBe(oddTasks);

    // Each run's results as a Phoenix experiment on the pinned dataset version, linked from what the CLI printed.
    expect(report.runs.map((run: { variant: string; action: string }) => [run.variant, run.action])).toEqual([
      ['baseline', 'started'],
      ['bigger classifier', 'started'],
    ]);
    for (const run of report.runs as Array<{ runId: string; hostResults: { url: string; current: boolean } }>) {
      expect(run.hostResults).toMatchObject({ current: true, error: null });
      const fromApi = (await stack.experiments('GET', `/experiments/${report.experiment.id}/runs/${run.runId}`)).body.hostResults;
      expect(run.hostResults.url).toBe(fromApi.url);
      expect(first.stdout).toContain(`results in the host: ${run.hostResults.url}`);
      expect(scratch.read('first.md')).toContain(run.hostResults.url);
      const phoenixExperiment = await stack.shell.phoenix.experiments.get(new URL(run.hostResults.url).searchParams.get('experimentId')!);
      expect(phoenixExperiment.dataset_id).toBe(stack.datasetId);
      expect(phoenixExperiment.dataset_version_id).toBe(stack.datasetVersion);
      expect(phoenixExperiment.metadata.experiments_plugin).toMatchObject({ experimentId: report.experiment.id, runId: run.runId });
    }

    const again = await runCli(['run', file], env);
    expect(again.code, again.stderr).toBe(first.code);
    expect(again.stdout).toMatch(/baseline: run #1 had completed before; reused, not run again \(completed\); results in the host: http/);
    expect(again.stdout).toMatch(/bigger classifier: run #1 had completed before; reused, not run again/);
    const runs = (await stack.experiments('GET', `/experiments/${report.experiment.id}/runs`)).body.runs as unknown[];
    expect(runs).toHaveLength(2);
    expect(await experimentsListed()).toHaveLength(1);

    const status = await runCli(['status', 'Support bot on the odd split'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      / {2}bigger classifier #1: completed — results in the host: http\S+\n {2}baseline #1: completed — results in the host: http/,
    );

    // The locked experiment is on the odd split: the same file on the even split (the dataset named by id this time)
    // is refused at the split.
    const even = scratch.write('even.yaml', definition({ phoenix_dataset: stack.datasetId, split: 'even' }));
    const [problem, ...others] = refusedAt(even, await runCli(['run', even], env));
    expect(others).toEqual([]);
    expect(problem).toMatch(
      new RegExp(
        `^7:10: tasks\\.split: the experiment is locked since its baseline completed with the ${oddTasks} tasks of source \\S+ \\(split odd\\)`,
      ),
    );
    expect((await stack.experiments('GET', `/experiments/${report.experiment.id}/runs`)).body.runs).toHaveLength(2);
  });
});
