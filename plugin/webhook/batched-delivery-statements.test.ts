import { describe, expect, it } from 'vitest';
import { batchedDeliveryStatements } from './batched-delivery-statements.js';

/**
 * A fake statement over a queue of ids: records each call's outcomes and limit, and says an outcome was written
 * when it is even. Each call waits until the test lets it finish, to show asks meanwhile go into the next one.
 */
function queueOf(ids: number[]) {
  const calls: Array<{ outcomes: number[]; limit: number }> = [];
  let release: (() => void) | null = null;
  const statement = async (outcomes: number[], limit: number) => {
    calls.push({ outcomes, limit });
    await new Promise<void>((resolve) => (release = resolve));
    return { written: outcomes.map((outcome) => outcome % 2 === 0), claimed: ids.splice(0, limit) };
  };
  const finish = async () => {
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    const done = release as () => void;
    release = null;
    done();
  };
  return { statement, calls, finish };
}

describe('batchedDeliveryStatements', () => {
  it('serves lanes claiming at once from one statement, in order, and asks made meanwhile from the next', async () => {
    const queue = queueOf([1, 2, 3, 4, 5, 6]);
    const { claim } = batchedDeliveryStatements(queue.statement);
    const first = [claim(), claim(), claim()];
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.calls).toEqual([{ outcomes: [], limit: 3 }]);
    // Asked while the first statement runs: they wait for it, then share the next one.
    const second = [claim(), claim()];
    await queue.finish();
    expect(await Promise.all(first)).toEqual([1, 2, 3]);
    await queue.finish();
    expect(await Promise.all(second)).toEqual([4, 5]);
    expect(queue.calls.map((call) => call.limit)).toEqual([3, 2]);
  });

  it('writes the outcomes and claims asked in the same turn in one statement, and answers each', async () => {
    const queue = queueOf([7, 8]);
    const { claim, write } = batchedDeliveryStatements(queue.statement);
    // Two lanes, each writing its last outcome and claiming its next test; a third only writes.
    const asked = [write(10), claim(), write(11), claim(), write(12)];
    await queue.finish();
    expect(await Promise.all(asked)).toEqual([true, 7, false, 8, true]);
    expect(queue.calls).toEqual([{ outcomes: [10, 11, 12], limit: 2 }]);
    // Writes alone make a statement too (a lane's last outcome, with nothing left to claim).
    const last = write(14);
    await queue.finish();
    expect(await last).toBe(true);
    expect(queue.calls[1]).toEqual({ outcomes: [14], limit: 0 });
  });

  it('spaced out, starts a statement about the interval after the previous one, and gathers what is asked meanwhile', async () => {
    const starts: Array<{ at: number; limit: number }> = [];
    const { claim } = batchedDeliveryStatements(
      async (_outcomes: number[], limit) => {
        starts.push({ at: performance.now(), limit });
        return { written: [], claimed: Array.from({ length: limit }, (_, i) => i) };
      },
      { minIntervalMs: () => 100 },
    );
    await claim();
    // Asked one after another, each right after the previous answer: without the spacing, each would be a statement.
    const later: Array<Promise<number | null>> = [];
    for (let i = 0; i < 3; i++) {
      later.push(claim());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(later);
    expect(starts.map((start) => start.limit)).toEqual([1, 3]);
    // A timer may end a little early by performance.now() (seen in CI: 98.9 of 100 ms); without the spacing this
    // statement would start about 5 ms after the first.
    expect(starts[1]!.at - starts[0]!.at).toBeGreaterThanOrEqual(95);
  });

  it('answers null to the lanes a short batch could not serve', async () => {
    const queue = queueOf([7]);
    const { claim } = batchedDeliveryStatements(queue.statement);
    const asked = [claim(), claim(), claim()];
    await queue.finish();
    expect(await Promise.all(asked)).toEqual([7, null, null]);
  });

  it('fails every write and claim of a failed statement, and serves later asks again', async () => {
    let calls = 0;
    const { claim, write } = batchedDeliveryStatements(async (outcomes: number[], limit) => {
      calls += 1;
      if (calls === 1) throw new Error('database gone');
      return { written: outcomes.map(() => true), claimed: Array.from({ length: limit }, (_, i) => i) };
    });
    const failed = await Promise.allSettled([claim(), write(1), claim()]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await Promise.all([claim(), write(2)])).toEqual([0, true]);
  });
});
