import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli-process.js';
import { demoBaseline, useCliStack } from './cli-fixture.js';

// A definition finds its experiment by its key (the name unless `key` is given), which the server keeps unique: a
// rename in the tab changes nothing, and two jobs started at once on the same file make one experiment, one
// baseline run and one run per variant between them.

const cli = useCliStack();
const { scratch } = cli;

const definition = (name: string, key?: string) => ({
  name,
  ...(key === undefined ? {} : { key }),
  steps: ['classifier', 'response_generator'],
  tasks: cli.taskIds.slice(0, 8),
  baseline: demoBaseline,
  variants: [{ name: 'bigger classifier', change: { classifier: { model: 'gpt-4o' } } }],
  run: { concurrency: 4, traceTimeoutSeconds: 30 },
  gates: [{ variant: 'bigger classifier', fail_if: 'worse' }],
});

async function experiments() {
  return (await cli.stack.experiments('GET', '/experiments')).body.experiments as Array<{ id: string; name: string; key: string | null }>;
}
async function runsOf(id: string) {
  return (await cli.stack.experiments('GET', `/experiments/${id}/runs`)).body.runs as Array<{ variantId: string; status: string }>;
}

describe('experiments run finds its experiment by key', () => {
  it('keeps finding it after a rename in the tab, and tells two definitions of one name apart by their keys', async () => {
    const file = scratch.write('keyed.yaml', definition('Renamed later'));
    const first = await runCli(['run', file], cli.env);
    expect(first.code, first.stderr).toBe(0);
    const [made] = await experiments();
    expect(made).toMatchObject({ name: 'Renamed later', key: 'Renamed later' });

    expect((await cli.stack.experiments('PATCH', `/experiments/${made!.id}`, { name: 'A better title' })).status).toBe(200);
    const again = await runCli(['run', file], cli.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/baseline: run #1 had completed before; reused, not run again/);
    expect((await experiments()).map((e) => e.id)).toEqual([made!.id]);

    // `status` finds it by the key too.
    const status = await runCli(['status', 'Renamed later'], cli.env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Experiment "A better title" (${made!.id})`);

    // Same name, another key: another experiment.
    const other = scratch.write('other-key.yaml', definition('A better title', 'second-of-that-name'));
    const third = await runCli(['run', other], cli.env);
    expect(third.code, third.stderr).toBe(0);
    const all = await experiments();
    expect(all.map((e) => [e.name, e.key]).sort()).toEqual([
      ['A better title', 'Renamed later'],
      ['A better title', 'second-of-that-name'],
    ]);
  }, 240_000);

  it('adopts an experiment made before keys (it has none) by its exact name', async () => {
    const made = await cli.stack.experiments('POST', '/experiments', { name: 'Made before keys' });
    expect(made.status).toBe(201);
    expect(made.body.key).toBeNull();
    const result = await runCli(['run', scratch.write('unkeyed.yaml', definition('Made before keys'))], cli.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('Created experiment');
    expect((await experiments()).filter((e) => e.name === 'Made before keys').map((e) => e.id)).toEqual([made.body.id]);
    expect((await runsOf(made.body.id)).map((run) => run.status)).toEqual(['completed', 'completed']);
  }, 240_000);

  it('two jobs started at once on one file share one experiment, one baseline run and one variant run', async () => {
    const file = scratch.write('race.yaml', definition('Raced', 'ci/raced'));
    const jobs = [startCli(['run', file, '--poll-interval', '0.2'], cli.env), startCli(['run', file, '--poll-interval', '0.2'], cli.env)];
    const results = await Promise.all(jobs.map((job) => job.done));
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const raced = (await experiments()).filter((e) => e.key === 'ci/raced');
    expect(raced).toHaveLength(1);
    const experiment = (await cli.stack.experiments('GET', `/experiments/${raced[0]!.id}`)).body;
    const variants = [experiment.variants[0], ...(experiment.variants[0].children ?? [])];
    expect(variants.map((v: { name: string }) => v.name)).toEqual(['Baseline', 'bigger classifier']);
    const runs = await runsOf(raced[0]!.id);
    expect(runs.map((run) => run.status)).toEqual(['completed', 'completed']);
    expect(new Set(runs.map((run) => run.variantId)).size).toBe(2);
    // Each job says what it did: between them, each run started once; the other job waited for it or reused it.
    const started = results.map((result) => (result.stdout.match(/started now/g) ?? []).length);
    expect(started[0]! + started[1]!).toBe(2);
  }, 240_000);
});
