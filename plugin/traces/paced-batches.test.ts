import { describe, expect, it } from 'vitest';
import { pacedBatches } from './paced-batches.js';

/** A batch runner that records each batch and when it started, and fails the batches holding 'fail'. */
function recorder() {
  const batches: Array<{ key: string; items: string[]; at: number }> = [];
  const started = performance.now();
  const run = async (key: string, items: string[]) => {
    batches.push({ key, items, at: performance.now() - started });
    if (items.includes('fail')) throw new Error(`batch ${items.join(',')} failed`);
  };
  return { batches, run };
}

describe('paced batches', () => {
  it('starts a lone item at once and gathers what comes within the interval into the next batch', async () => {
    const { batches, run } = recorder();
    const paced = pacedBatches(run, 300);
    await paced.add('project', ['a']);
    expect(batches).toEqual([{ key: 'project', items: ['a'], at: expect.any(Number) }]);
    expect(batches[0]!.at).toBeLessThan(200);
    // Within the interval after 'a' started: these wait for it to pass, and go together.
    await Promise.all([paced.add('project', ['b']), paced.add('project', ['c', 'd'])]);
    expect(batches.map((batch) => batch.items)).toEqual([['a'], ['b', 'c', 'd']]);
    expect(batches[1]!.at - batches[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it('paces each key apart', async () => {
    const { batches, run } = recorder();
    const paced = pacedBatches(run, 1_000);
    await Promise.all([paced.add('one', ['a']), paced.add('two', ['b'])]);
    // Neither waited for the other's interval.
    expect(batches.map((batch) => [batch.key, batch.items])).toEqual([['one', ['a']], ['two', ['b']]]);
    expect(Math.max(...batches.map((batch) => batch.at))).toBeLessThan(500);
  });

  it("settles every caller of a batch with the batch's outcome", async () => {
    const { run } = recorder();
    const paced = pacedBatches(run, 10);
    const results = await Promise.allSettled([paced.add('project', ['fail']), paced.add('project', ['x'])]);
    expect(results).toEqual([
      { status: 'rejected', reason: new Error('batch fail,x failed') },
      { status: 'rejected', reason: new Error('batch fail,x failed') },
    ]);
    // The next batch is a new one.
    await expect(paced.add('project', ['y'])).resolves.toBeUndefined();
  });

  it('drains: resolves once every batch begun has run', async () => {
    const { batches, run } = recorder();
    const paced = pacedBatches(run, 50);
    const first = [paced.add('project', ['a']), paced.add('project', ['b'])];
    await paced.drain();
    expect(batches.map((batch) => batch.items)).toEqual([['a', 'b']]);
    const late = paced.add('project', ['c']);
    await paced.drain();
    expect(batches.map((batch) => batch.items)).toEqual([['a', 'b'], ['c']]);
    await Promise.all([...first, late]);
  });
});
