import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { useCliStack } from './cli-fixture.js';

// Definitions with mistakes, run through the real CLI against the real stack: each is refused with exit code 2,
// every problem named by file, line, column and field, and the server is left as it was.

const cli = useCliStack();
const { scratch } = cli;

const experimentCount = async () =>
  ((await cli.stack.experiments('GET', '/experiments?archived=true')).body.experiments as unknown[]).length;

/** The problem lines the CLI printed, without the file name. */
async function refusal(name: string, yaml: string) {
  const file = scratch.write(name, yaml);
  const before = await experimentCount();
  const result = await runCli(['run', file], cli.env);
  expect(result.code, result.stdout + result.stderr).toBe(2);
  expect(result.stderr).toMatch(/^The definition was refused:$/m);
  expect(await experimentCount(), 'nothing is created for a refused definition').toBe(before);
  return result.stderr
    .split('\n')
    .filter((line) => line.startsWith(`${file}:`))
    .map((line) => line.slice(file.length + 1));
}

const header = (tasks = `[${cli.taskIds.slice(0, 3).join(', ')}]`) => `name: Refused
steps: [classifier, response_generator]
tasks: ${tasks}
baseline:
  classifier: { model: gpt-4o-mini, temperature: 0.2 }
  response_generator: { model: gpt-4o-mini, max_tokens: 300 }
`;

describe('experiments run refuses a bad definition before creating anything', () => {
  it('names each problem of the file: unknown step, two changes, a gate on a missing variant, wrong types, unknown fields', async () => {
    const lines = await refusal(
      'many.yaml',
      `${header()}variants:
  - name: cooler
    change:
      clasifier:
        temperature: 0
  - name: two at once
    change:
      classifier:
        temperature: 0
        model: gpt-4o
  - name: chained
    parent: nobody
    change: { response_generator: { max_tokens: 0 } }
gates:
  - variant: coolr
    fail_if: worse
  - variant: baseline
    fail_if: worse
`,
    );
    expect(lines).toEqual([
      '10:7: variants[0].change.clasifier: unknown step "clasifier"; the steps in scope are "classifier", "response_generator"',
      '13:5: variants[1].change: a variant changes exactly one parameter; this one changes 2 (classifier.temperature, classifier.model): make one variant per change, chained with parent: if they build on each other',
      '18:13: variants[2].parent: no variant is named "nobody"; parent must be `baseline` or the name of another variant in this file',
      '19:49: variants[2].change.response_generator.max_tokens: max_tokens must be a positive whole number',
      '21:14: gates[0].variant: no variant is named "coolr"; gates may name "baseline", "cooler", "two at once", "chained"',
      '24:14: gates[1].fail_if: the baseline is not compared with itself; give it a min_pass_rate instead',
    ]);

    expect(
      await refusal(
        'types.yaml',
        `name: Types
hypotesis: typo
steps: [classifier]
tasks: [${cli.taskIds[0]}]
baseline:
  classifier: { temperature: hot, top_k: 3 }
run:
  repeats: 2.5
  stopWhenDecided: sometimes
gates:
  - { variant: baseline, min_pass_rate: 80 }
`,
      ),
    ).toEqual([
      '2:1: hypotesis: unknown field "hypotesis"; expected one of name, key, hypothesis, steps, tasks, baseline, variants, run, gates',
      '6:30: baseline.classifier.temperature: temperature must be a number from 0 to 2',
      '6:35: baseline.classifier.top_k: unknown parameter "top_k"; expected one of system, temperature, top_p, max_tokens, model, verbosity',
      '8:12: run.repeats: repeats must be a whole number from 1 to 20',
      '9:20: run.stopWhenDecided: stopWhenDecided must be true or false',
      '11:41: gates[0].min_pass_rate: min_pass_rate must be a fraction from 0 to 1 (0.8 for 80%)',
    ]);
  });

  it('refuses bad YAML at the line of the mistake', async () => {
    expect(await refusal('indent.yaml', 'name: Bad\nsteps: [classifier]\n  tasks: all\n')).toEqual([
      expect.stringMatching(/^3:\d+: not valid YAML: /),
    ]);
    expect(await refusal('duplicate.yaml', 'name: Bad\nsteps: [classifier]\nname: Again\n')).toEqual([
      '3:1: not valid YAML: Map keys must be unique',
    ]);
    expect(await refusal('list.yaml', '- name: Bad\n')).toEqual([
      '1:1: the file must be a YAML mapping with name, steps, tasks and baseline',
    ]);
  });

  it('refuses, at their lines, what this server does not support yet or does not take, still before creating anything', async () => {
    const lines = await refusal(
      'unsupported.yaml',
      `${header()}run:
  concurrency: 500
  stopWhenDecided: true
  budget: { maxCost: 5, maxTokens: 3000000000 }
`,
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('8:16: run.concurrency: refused by the server: concurrency is at most 50 here');
    expect(lines[1]).toMatch(/^10:3: run\.budget: refused by the server: .*2000000000/);
    // The reference host keeps no datasets (the Phoenix host does: test/phoenix/phoenix-cli.test.ts).
    expect(await refusal('dataset.yaml', header('{ phoenix_dataset: support-cases, split: test }'))).toEqual([
      "3:27: tasks.phoenix_dataset: this server's host has no datasets (it is not Phoenix); list the task ids or write `all`",
    ]);
  });

  it('refuses a step the project does not have at its line, before creating anything', async () => {
    const lines = await refusal(
      'unknown-step.yaml',
      `name: Unknown step
steps:
  - classifier
  - responder
tasks: [${cli.taskIds[0]}]
baseline:
  responder: { temperature: 0.5 }
`,
    );
    expect(lines).toEqual(['4:5: steps[1]: unknown step "responder": the project has "classifier", "response_generator"']);
  });

  it('refuses a task id the project does not have at its place in the list, before creating anything', async () => {
    const missing = '7d3b9b7e-0000-4000-8000-000000000000';
    const lines = await refusal('unknown-task.yaml', header(`[${cli.taskIds[0]}, ${missing}]`));
    expect(lines).toEqual([
      `3:${'tasks: ['.length + cli.taskIds[0]!.length + ', '.length + 1}: tasks[1]: no task "${missing}" in this project`,
    ]);
  });

  it("takes every task of the project with `tasks: all`, and passes stopWhenDecided and budget on to the variants' runs", async () => {
    const file = scratch.write(
      'all-tasks.yaml',
      `${header('all').replace('name: Refused', 'name: All tasks')}variants:
  - { name: cooler, change: { classifier: { temperature: 0 } } }
run: { concurrency: 8, traceTimeoutSeconds: 30, stopWhenDecided: true, budget: { maxCost: 100, maxTokens: 1000000 } }
`,
    );
    const result = await runCli(['run', file], cli.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/baseline: run #1 started now \(completed\)/);
    expect(result.stdout).toMatch(/cooler: run #1 started now \(completed\)/);
    const { experiments } = (await cli.stack.experiments('GET', '/experiments')).body as {
      experiments: Array<{ id: string; name: string }>;
    };
    const created = experiments.find((experiment) => experiment.name === 'All tasks')!;
    const experiment = (await cli.stack.experiments('GET', `/experiments/${created.id}`)).body;
    expect([...experiment.taskIds].sort()).toEqual([...cli.taskIds].sort());
    // The baseline runs every task (stopping early compares a variant with it); the budget holds for both.
    const runs = (await cli.stack.experiments('GET', `/experiments/${created.id}/runs`)).body.runs as Array<{
      id: string;
      isBaseline: boolean;
    }>;
    const settings = async (isBaseline: boolean) =>
      (await cli.stack.experiments('GET', `/experiments/${created.id}/runs/${runs.find((run) => run.isBaseline === isBaseline)!.id}`)).body
        .settings;
    expect(await settings(true)).toMatchObject({ stopWhenDecided: false, maxCostUsd: 100, maxTokens: 1_000_000 });
    expect(await settings(false)).toMatchObject({ stopWhenDecided: true, maxCostUsd: 100, maxTokens: 1_000_000 });
  });

  it('checks a file without a server when asked to (--check)', async () => {
    const file = scratch.write('valid.yaml', `${header()}variants:\n  - { name: cooler, change: { classifier: { temperature: 0 } } }\n`);
    const result = await runCli(['run', '--check', file], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${file}: the definition is valid (1 variant, 0 gates).\n`);
    const missing = await runCli(['run', file], { EXPERIMENTS_API_KEY: cli.stack.apiKey });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No server given: set EXPERIMENTS_URL (or pass --url)');
  });
});
