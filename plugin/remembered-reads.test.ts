import { describe, expect, it } from 'vitest';
import { rememberedReads } from './remembered-reads.js';

describe('rememberedReads', () => {
  it('shares one read per key while it is fresh, and reads again once it is old', async () => {
    let reads = 0;
    const remembered = rememberedReads(50, async (key: string) => `${key}:${++reads}`);
    expect(await Promise.all([remembered.get('a'), remembered.get('a')])).toEqual(['a:1', 'a:1']);
    expect(await remembered.get('b')).toBe('b:2');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await remembered.get('a')).toBe('a:3');
  });

  it('forgets a failed read at once, and keeps an answer given with set', async () => {
    let fail = true;
    const remembered = rememberedReads(60_000, async () => {
      if (fail) throw new Error('database gone');
      return 'read';
    });
    await expect(remembered.get('k')).rejects.toThrow('database gone');
    fail = false;
    expect(await remembered.get('k')).toBe('read');
    remembered.set('k', 'told');
    expect(await remembered.get('k')).toBe('told');
  });
});
