/** A source of uniform numbers in [0, 1) that the same seed always repeats. */
export type Random = () => number;

/**
 * A small seeded generator (mulberry32, Tommy Ettinger, public domain): 32 bits of state, fast, and good enough for
 * shuffling tasks and for seeded simulations. Not for anything secret.
 * @example const random = seededRandom(42); random() // 0.6011037519201636
 */
export function seededRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new RangeError(`A seed must be a whole number, got ${seed}.`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A copy of `items` in a random order drawn from `seed` (Fisher–Yates): the order a run sends its tasks in when it
 * may stop early, so that the tasks seen first are a random sample of all of them.
 */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const shuffled = [...items];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return shuffled;
}
