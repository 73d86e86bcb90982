import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../workflows/workflows-path.js';

// Histories of real runs and of a run queue, recorded by test/workflows/record-history.ts on the code of their day. Each must replay
// on today's workflow code, or runs in flight when a new version is deployed would fail with a
// nondeterminism error: a change to the order of a workflow's commands needs a `patched()` guard.
// protobufjs is a devDependency only so that npm installs one copy for all @temporalio packages: reading a JSON
// history checks message types across them, and separate copies fail with "type must be a Type".
const dir = path.resolve(import.meta.dirname, 'histories');
const histories = readdirSync(dir).filter((file) => file.endsWith('.json'));

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}

describe('recorded run histories replay on the current workflow code', () => {
  it('has histories to replay', () => {
    expect(histories).toContain('before-first-delivery-patch.json');
    // The run queue's workflow (issue 18), recorded with `record-history.ts run-queue --queue`.
    expect(histories).toContain('run-queue.json');
    // A run whose start was an activity of its own, before it became a local activity.
    expect(histories).toContain('before-start-run-local-activity.json');
  });

  it('replays every one without a nondeterminism error', async () => {
    const replayed: string[] = [];
    const failures: string[] = [];
    const inputs = histories.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) }));
    for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'recorded-histories' }, inputs)) {
      replayed.push(result.workflowId);
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed.sort()).toEqual(inputs.map((input) => input.workflowId).sort());
  });
});
