import { spawn } from 'node:child_process';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli-process.js';
import { startReceiver } from '../helpers/receivers.js';
import { demoBaseline, useCliStack } from './cli-fixture.js';

// status, export and cancel through the real CLI against the real stack, and the API key kept out of everything
// the CLI prints or writes.

const cli = useCliStack();
const { scratch } = cli;

const definition = (name: string, run: object) => ({
  name,
  steps: ['classifier', 'response_generator'],
  tasks: cli.taskIds.slice(0, 8),
  baseline: demoBaseline,
  variants: [{ name: 'warmer answers', change: { response_generator: { temperature: 1.2 } } }],
  run,
  gates: [{ variant: 'warmer answers', fail_if: 'worse' }],
});

describe('experiments status, export and cancel', () => {
  it('shows status, exports a named variant and the winner, and refuses an export without a winner', async () => {
    const file = scratch.write('status.yaml', definition('Status and export', { concurrency: 8 }));
    const run = await runCli(['run', file, '--json', scratch.file('status.json')], cli.env);
    expect([0, 1], run.stderr).toContain(run.code);
    const report = JSON.parse(scratch.read('status.json'));
    const id: string = report.experiment.id;
    const warmer = report.results.variants.find((v: any) => v.name === 'warmer answers');

    const status = await runCli(['status', id], cli.env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Experiment "Status and export" (${id}): idle`);
    expect(status.stdout).toMatch(/warmer answers #1: completed\n {2}baseline #1: completed/);
    expect(status.stdout).toContain(`${warmer.passed}/${warmer.total}`);

    // By name, as a definition finds it, and as JSON equal to what the API says.
    const json = await runCli(['status', 'Status and export', '--json'], cli.env);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.experiment.id).toBe(id);
    expect(parsed.results).toEqual((await cli.stack.experiments('GET', `/experiments/${id}/results`)).body);
    expect(parsed.openRun).toBeNull();

    const noWinner = await runCli(['export', id], cli.env);
    expect(noWinner.code).toBe(2);
    expect(noWinner.stderr).toContain('No winner has been picked yet');
    expect(noWinner.stderr).toContain('--variant <name>');

    const named = await runCli(['export', id, '--variant', 'warmer answers'], cli.env);
    expect(named.code, named.stderr).toBe(0);
    const config = (await cli.stack.experiments('GET', `/experiments/${id}/variants/${warmer.variantId}/config`)).body.config;
    expect(JSON.parse(named.stdout)).toEqual(config);
    expect(config.response_generator.temperature).toBe(1.2);

    const completed = await cli.stack.experiments('POST', `/experiments/${id}/complete`, { winnerVariantId: warmer.variantId });
    expect(completed.status).toBe(200);
    const winner = await runCli(['export', id, '--output', scratch.file('winner.json')], cli.env);
    expect(winner.code, winner.stderr).toBe(0);
    expect(JSON.parse(scratch.read('winner.json'))).toEqual(config);

    const unknown = await runCli(['export', id, '--variant', 'nope'], cli.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('The experiment has no variant "nope"; its variants are "baseline", "warmer answers".');

    const missing = await runCli(['status', 'No such experiment'], cli.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No experiment has the id, key or name "No such experiment"');
  }, 180_000);

  it('cancels a running run; the waiting run command then says why it could not decide, and exits 2', async () => {
    // An application that accepts every test and never sends a trace: the baseline stays running until cancelled.
    const silent = await startReceiver({ respond: () => ({ status: 202 }) });
    await cli.stack.api('PUT', '/api/webhook', { url: silent.url });
    const file = scratch.write('cancel.yaml', definition('Cancelled', { concurrency: 2, traceTimeoutSeconds: 300 }));
    let report: any;
    try {
      const running = startCli(
        ['run', file, '--junit', scratch.file('cancel.xml'), '--json', scratch.file('cancel.json'), '--poll-interval', '0.2'],
        cli.env,
      );
      await running.waitForStderr(/\[baseline\] run #1 running: 0\/8 done/, 120_000);

      const cancel = await runCli(['cancel', 'Cancelled'], cli.env);
      expect(cancel.code, cancel.stderr).toBe(0);
      expect(cancel.stdout).toMatch(
        /^Asked run #1 of baseline to stop \(0\/8 tests done\); `experiments status [0-9a-f-]{36}` shows when it has\.$/m,
      );

      const result = await running.done;
      expect(result.code, result.stderr).toBe(2);
      // No trace ever came, so every test of the cancelled run was never finished: shown as not run.
      expect(result.stderr).toMatch(/\[baseline\] run #1 cancelled: \d\/8 done \(0 passed, 0 failed, 0 errored, 0 timed out, 8 not run\)/);
      expect(result.stderr).toContain('Error: The baseline run #1 ended cancelled, so no variant can be compared');
      report = JSON.parse(scratch.read('cancel.json'));
    } finally {
      await cli.stack.api('PUT', '/api/webhook', { url: cli.stack.demo!.webhookUrl });
      await silent.close();
    }
    const runs = (await cli.stack.experiments('GET', `/experiments/${report.experiment.id}/runs`)).body.runs;
    expect(runs.map((r: any) => r.status)).toEqual(['cancelled']);
    expect(report.exitCode).toBe(2);
    const reason = 'cannot compare with the baseline: the variant has not been created on the server yet';
    expect(report.gates).toEqual([
      { variant: 'warmer answers', title: 'not worse than the baseline', status: 'undecided', reasons: [reason] },
    ]);

    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(
      scratch.read('cancel.xml'),
    );
    expect(junit.testsuites).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    expect(junit.testsuites.testsuite.testcase[0].error.message).toBe(reason);

    const nothing = await runCli(['cancel', 'Cancelled'], cli.env);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('has no run in progress (status: baseline failed); there is nothing to cancel.');

    // The same file again picks the experiment up and runs the baseline anew, then the variant.
    const again = await runCli(['run', file, '--poll-interval', '0.2'], cli.env);
    expect([0, 1], again.stderr).toContain(again.code);
    expect(again.stdout).toMatch(/baseline: run #2 started now \(completed\)/);
    const finalRuns = (await cli.stack.experiments('GET', `/experiments/${report.experiment.id}/runs`)).body.runs;
    expect(finalRuns.map((r: any) => r.status)).toEqual(['completed', 'completed', 'cancelled']);
  }, 300_000);

  it('never shows the API key: not in requests logged with --verbose, errors, or the files it writes', async () => {
    const file = scratch.write('secret.yaml', definition('Secrets', { concurrency: 8 }));
    const outputs = ['--markdown', scratch.file('s.md'), '--junit', scratch.file('s.xml'), '--json', scratch.file('s.json')];
    const verbose = await runCli(['--verbose', 'run', file, ...outputs], cli.env);
    expect(verbose.stderr).toMatch(/debug: GET \/experiments → 200/);
    const wrongKey = `wrong_${cli.stack.apiKey}`;
    const refused = await runCli(['--verbose', 'status', 'x'], { ...cli.env, EXPERIMENTS_API_KEY: wrongKey });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/GET \/experiments\?key=x was refused \(401 unauthorized\)/);
    const flag = await runCli(['--api-key', wrongKey, '--verbose', 'run', file, ...outputs.slice(0, 2)], {
      EXPERIMENTS_URL: cli.env.EXPERIMENTS_URL,
    });
    expect(flag.code).toBe(2);
    for (const text of [
      verbose.stdout,
      verbose.stderr,
      refused.stdout,
      refused.stderr,
      flag.stdout,
      flag.stderr,
      scratch.read('s.md'),
      scratch.read('s.xml'),
      scratch.read('s.json'),
    ]) {
      expect(text).not.toContain(cli.stack.apiKey);
    }
  }, 180_000);

  it("says EXPERIMENTS_URL is wrong when it is the host's address rather than the tab's", async () => {
    for (const url of [cli.stack.baseUrl, `${cli.stack.baseUrl}/plugins`]) {
      const result = await runCli(['status', 'anything'], { ...cli.env, EXPERIMENTS_URL: url });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: .*404.*EXPERIMENTS_URL \(or --url\) .*the address of the Experiments tab/m);
    }
  });

  it('draws a progress bar per run on a terminal', async () => {
    // util-linux `script` gives the command a pseudo-terminal, as a person's shell would.
    const file = scratch.write('terminal.yaml', definition('On a terminal', { concurrency: 8 }));
    const command = `${JSON.stringify(process.execPath)} cli/bin/experiments.js run ${JSON.stringify(file)}`;
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('script', ['-qefc', command, '/dev/null'], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { PATH: process.env.PATH, ...cli.env },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect([0, 1], result.output).toContain(result.code);
    expect(result.output).toMatch(/baseline #1 \|[█░]{40}\| \d+\/8 · \d+ passed/);
    expect(result.output).toMatch(/warmer answers #1 \|[█░]{40}\| \d+\/8 · /);
    expect(result.output).toContain('baseline #1 completed: 8/8 done');
    expect(result.output).toContain('\u001b[?25l'); // the cursor hidden while bars draw…
    expect(result.output).toContain('\u001b[?25h'); // …and shown again
    expect(result.output).not.toMatch(/^\[baseline\] run #1/m);
  }, 180_000);
});
