import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';

// Usage errors through the real CLI: each exits 2 with a message that says what is wrong and where help is, before
// any server is contacted (none is running for this file).

const example = path.resolve(import.meta.dirname, '../../docs/examples/support-bot.experiment.yaml');
const server = { EXPERIMENTS_URL: 'http://127.0.0.1:9/plugins/experiments', EXPERIMENTS_API_KEY: 'not_a_real_key' };

describe('experiments: usage', () => {
  it('exits 2 on a usage error, saying what is wrong', async () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['frobnicate'], server, "error: unknown command 'frobnicate'\n(experiments --help shows the commands and options)"],
      [['run'], server, "error: missing required argument 'file'"],
      [['status'], server, "error: missing required argument 'experiment'"],
      [['run', example, '--nope'], server, "error: unknown option '--nope'"],
      [['run', example, '--poll-interval', '0'], server, 'Error: --poll-interval must be a positive number of seconds, not "0".'],
      [['--server-timeout', 'soon', 'status', 'x'], server, 'Error: --server-timeout must be a positive number of seconds, not "soon".'],
      [['status', 'x'], { EXPERIMENTS_API_KEY: 'k' }, 'Error: No server given: set EXPERIMENTS_URL (or pass --url)'],
      [['status', 'x'], { ...server, EXPERIMENTS_URL: 'localhost:3000' }, 'Error: EXPERIMENTS_URL (or --url) must be an http(s) address'],
      [['status', 'x'], { ...server, EXPERIMENTS_URL: 'http://user:pw@h/plugins/experiments' }, 'must not carry credentials'],
      [
        ['status', 'x'],
        { EXPERIMENTS_URL: server.EXPERIMENTS_URL },
        'Error: No API key given: set EXPERIMENTS_API_KEY (or pass --api-key)',
      ],
    ];
    for (const [args, env, message] of cases) {
      const result = await runCli(args, env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.stdout, args.join(' ')).toBe('');
    }
  });

  it('shows help (with the exit codes and settings) and its version, exiting 0', async () => {
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: experiments \[options\] \[command\]/);
    for (const text of ['run [options] <file>', 'status [options] <experiment>', 'export [options] <experiment>', 'cancel <experiment>'])
      expect(help.stdout).toContain(text);
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*a gate failed.*\n {2}2 .*usage, definition or server error/);
    expect(help.stdout).toContain('EXPERIMENTS_API_KEY');

    const version = await runCli(['--version'], {});
    expect(version.code).toBe(0);
    const { version: packageVersion } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(version.stdout).toBe(`${packageVersion}\n`);
  });
});
