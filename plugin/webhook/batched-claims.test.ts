import { describe, expect, it } from 'vitest';
import { batchedClaims } from './batched-claims.js';

/** A fake claim statement over a queue of ids, recording the limit of each call. */
function queueOf(ids: number[]) {
  const limits: number[] = [];
  let release: (() => void) | null = null;
  const claim = async (limit: number) => {
    limits.push(limit);
    // Each statement waits until the test lets it finish, to show asks meanwhile go into the next one.
    await new Promise<void>((resolve) => (release = resolve));
    return ids.splice(0, limit);
  };
  const finish = async () => {
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    const done = release as () => void;
    release = null;
    done();
  };
  return { claim, limits, finish };
}

describe('batchedClaims', () => {
  it('serves lanes asking at once from one statement, in order, and asks made meanwhile from the next', async () => {
    const queue = queueOf([1, 2, 3, 4, 5, 6]);
    const next = batchedClaims(queue.claim);
    const first = [next(), next(), next()];
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.limits).toEqual([3]);
    // Asked while the first statement runs: they wait for it, then share the next one.
    const second = [next(), next()];
    await queue.finish();
    expect(await Promise.all(first)).toEqual([1, 2, 3]);
    await queue.finish();
    expect(await Promise.all(second)).toEqual([4, 5]);
    expect(queue.limits).toEqual([3, 2]);
  });

  it('answers null to the lanes a short batch could not serve', async () => {
    const queue = queueOf([7]);
    const next = batchedClaims(queue.claim);
    const asked = [next(), next(), next()];
    await queue.finish();
    expect(await Promise.all(asked)).toEqual([7, null, null]);
  });

  it('fails every lane of a failed statement, and serves later asks again', async () => {
    let calls = 0;
    const next = batchedClaims(async (limit) => {
      calls += 1;
      if (calls === 1) throw new Error('database gone');
      return Array.from({ length: limit }, (_, i) => i);
    });
    const failed = await Promise.allSettled([next(), next()]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await next()).toBe(0);
  });
});
