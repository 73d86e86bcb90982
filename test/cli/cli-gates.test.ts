import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { demoBaseline, useCliStack } from './cli-fixture.js';

// The real CLI, as a child process, against the real stack: reference host + plugin + Temporal worker + demo app on
// Postgres and a Temporal dev server. The demo app's simulated model is deterministic per config, so a variant that
// cuts answers to one token fails every task that checks a word, and is judged worse by the paired test.

const cli = useCliStack();
const { scratch } = cli;

const definition = (extra: { variants?: object[]; gates?: object[] } = {}) => ({
  name: 'Support bot: CI gates',
  hypothesis: 'A bigger classifier model does not hurt answers.',
  steps: ['classifier', 'response_generator'],
  tasks: cli.taskIds,
  baseline: demoBaseline,
  variants: [{ name: 'bigger classifier', change: { classifier: { model: 'gpt-4o' } } }, ...(extra.variants ?? [])],
  run: { concurrency: 8, traceTimeoutSeconds: 30 },
  gates: [{ variant: 'bigger classifier', fail_if: 'worse' }, { variant: 'baseline', min_pass_rate: 0.5 }, ...(extra.gates ?? [])],
});

async function experimentState() {
  const list = await cli.stack.experiments('GET', '/experiments');
  const experiments = list.body.experiments as Array<{ id: string; name: string }>;
  const runsOf = async (id: string) =>
    (await cli.stack.experiments('GET', `/experiments/${id}/runs`)).body.runs as Array<{ id: string; variantId: string; status: string }>;
  return Promise.all(experiments.map(async (experiment) => ({ ...experiment, runs: await runsOf(experiment.id) })));
}

const junitCases = (xml: string) => {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(xml);
  return { suites: parsed.testsuites, cases: parsed.testsuites.testsuite.testcase as Array<Record<string, any>> };
};

describe('experiments run: gates, idempotent re-runs and the files it writes', () => {
  it('passes its gates, then runs nothing twice, then fails a gate on a new, worse variant', async () => {
    const file = scratch.write('gates.yaml', definition());
    const first = await runCli(
      ['run', file, '--markdown', scratch.file('1.md'), '--junit', scratch.file('1.xml'), '--json', scratch.file('1.json')],
      cli.env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/All gates passed \(2 gates: 2 passed\)/);
    expect(first.stdout).toMatch(/baseline: run #1 started now \(completed\)/);
    expect(first.stdout).toMatch(/bigger classifier: run #1 started now \(completed\)/);
    // Not a terminal: plain progress lines, no bar drawing.
    expect(first.stderr).toMatch(/\[baseline\] run #1 completed: 24\/24 done/);
    expect(first.stderr).not.toContain('\u001b[');

    const [experiment] = await experimentState();
    expect(experiment!.name).toBe('Support bot: CI gates');
    expect(experiment!.runs.map((run) => run.status)).toEqual(['completed', 'completed']);

    // The JSON file carries the API's own results, unchanged, and the gates decided from them.
    const results = (await cli.stack.experiments('GET', `/experiments/${experiment!.id}/results`)).body;
    const json = JSON.parse(scratch.read('1.json'));
    expect(json.exitCode).toBe(0);
    expect(json.experiment).toMatchObject({ id: experiment!.id, name: 'Support bot: CI gates', key: 'Support bot: CI gates' });
    expect(json.results).toEqual(results);
    const bigger = results.variants.find((v: any) => v.name === 'bigger classifier');
    expect(bigger.vsBaseline.verdict).not.toBe('worse');
    expect(json.gates.map((gate: any) => [gate.variant, gate.status])).toEqual([
      ['bigger classifier', 'passed'],
      ['baseline', 'passed'],
    ]);
    const baseline = results.variants.find((v: any) => v.isBaseline);
    expect(json.gates[1].reasons[0]).toBe(`pass rate ${(baseline.passRate * 100).toFixed(1)}% (${baseline.passed}/${baseline.total})`);

    const junit = junitCases(scratch.read('1.xml'));
    expect(junit.suites).toMatchObject({ tests: '2', failures: '0', errors: '0' });
    expect(junit.cases.map((c) => c.name)).toEqual(['bigger classifier: not worse than the baseline', 'baseline: pass rate ≥ 50.0%']);
    expect(junit.cases.every((c) => c.failure === undefined && c.error === undefined)).toBe(true);

    const markdown = scratch.read('1.md');
    expect(markdown).toContain('<!-- experiments-cli: Support bot: CI gates -->');
    expect(markdown).toMatch(/^## ✅ Experiment: Support bot: CI gates$/m);
    expect(markdown).toContain('| ✅ passed | bigger classifier | not worse than the baseline |');
    expect(markdown).toContain(`| baseline | — | ${(baseline.passRate * 100).toFixed(1)}%`);
    expect(markdown).toContain(`${cli.stack.baseUrl}/plugins/experiments/experiments/${experiment!.id}`);

    // The same file again: no new experiment, variant or run; both runs reported as reused.
    const again = await runCli(['run', file, '--json', scratch.file('2.json')], cli.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/baseline: run #1 had completed before; reused, not run again/);
    expect(again.stdout).toMatch(/bigger classifier: run #1 had completed before; reused, not run again/);
    const afterAgain = await experimentState();
    expect(afterAgain).toHaveLength(1);
    expect(afterAgain[0]!.runs.map((run) => run.id).sort()).toEqual(experiment!.runs.map((run) => run.id).sort());
    expect(JSON.parse(scratch.read('2.json')).results).toEqual(results);

    // A new variant in the file: only it runs, and its gate fails.
    const worse = scratch.write(
      'worse.yaml',
      definition({
        variants: [{ name: 'one-token answers', parent: 'bigger classifier', change: { response_generator: { max_tokens: 1 } } }],
        gates: [{ variant: 'one-token answers', fail_if: 'worse', min_pass_rate: 0.5 }],
      }),
    );
    const third = await runCli(
      ['run', worse, '--markdown', scratch.file('3.md'), '--junit', scratch.file('3.xml'), '--json', scratch.file('3.json')],
      cli.env,
    );
    expect(third.code, third.stderr).toBe(1);
    expect(third.stdout).toMatch(/one-token answers: run #1 started now \(completed\)/);
    expect(third.stdout).toMatch(/baseline: run #1 had completed before; reused/);
    expect(third.stderr).toMatch(
      /Gate failed: one-token answers — worse than the baseline \(−[\d.]+ pts, \d+ regressed \/ 0 improved tasks, p \(Holm\) < 0\.001\)/,
    );
    const afterThird = await experimentState();
    expect(afterThird).toHaveLength(1);
    expect(afterThird[0]!.runs).toHaveLength(3);

    const thirdJson = JSON.parse(scratch.read('3.json'));
    const oneToken = thirdJson.results.variants.find((v: any) => v.name === 'one-token answers');
    expect(oneToken.parentId).toBe(bigger.variantId);
    expect(oneToken.vsBaseline.verdict).toBe('worse');
    expect(oneToken.passRate).toBeLessThan(0.5);
    expect(thirdJson.exitCode).toBe(1);
    const failedGate = thirdJson.gates[2];
    expect(failedGate.status).toBe('failed');
    expect(failedGate.reasons).toEqual([
      expect.stringMatching(/^worse than the baseline \(−[\d.]+ pts, \d+ regressed \/ 0 improved tasks, p \(Holm\) < 0\.001\)$/),
      `pass rate ${(oneToken.passRate * 100).toFixed(1)}% (${oneToken.passed}/${oneToken.total}) is below the floor of 50.0%`,
    ]);

    const junit3 = junitCases(scratch.read('3.xml'));
    expect(junit3.suites).toMatchObject({ tests: '3', failures: '1', errors: '0' });
    const failing = junit3.cases.find((c) => c.name === 'one-token answers: not worse than the baseline; pass rate ≥ 50.0%')!;
    expect(failing.failure.message).toBe(failedGate.reasons[0]);
    expect(failing.failure['#text']).toBe(failedGate.reasons.join('\n'));
    expect(junit3.cases.filter((c) => c.failure !== undefined)).toHaveLength(1);

    const markdown3 = scratch.read('3.md');
    expect(markdown3).toMatch(/^## ❌ Experiment/m);
    expect(markdown3).toContain('| ❌ failed | one-token answers | not worse than the baseline; pass rate ≥ 50.0% |');
    expect(markdown3).toContain('| one-token answers | response_generator.max_tokens: 300 → 1 |');
  }, 300_000);
});
