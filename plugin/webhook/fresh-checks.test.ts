import { describe, expect, it } from 'vitest';
import { freshChecks } from './fresh-checks.js';

/** A check that counts its starts and finishes only when the test says so. */
function controlledCheck() {
  let starts = 0;
  const pending: Array<(value: number) => void> = [];
  const check = () => {
    starts += 1;
    const start = starts;
    return new Promise<number>((resolve) => pending.push(() => resolve(start)));
  };
  const finish = async () => {
    while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    pending.shift()!(0);
  };
  return { check, finish, starts: () => starts };
}

describe('freshChecks', () => {
  it('answers each ask with a check started after it, running one at a time', async () => {
    const checks = controlledCheck();
    const ask = freshChecks(checks.check);
    const first = ask();
    // Asked while the first check runs: its answer may be stale, so they share the next check.
    const second = ask();
    const third = ask();
    expect(checks.starts()).toBe(1);
    await checks.finish();
    expect(await first).toBe(1);
    await checks.finish();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(checks.starts()).toBe(2);
    // Nothing running: a new ask starts a check at once.
    const fourth = ask();
    expect(checks.starts()).toBe(3);
    await checks.finish();
    expect(await fourth).toBe(3);
  });

  it('hands a failure to the asks that share the check, and starts afresh after it', async () => {
    let fail = true;
    const ask = freshChecks(async () => {
      if (fail) throw new Error('database away');
      return 'ok';
    });
    await expect(ask()).rejects.toThrow('database away');
    fail = false;
    await expect(ask()).resolves.toBe('ok');
  });
});
