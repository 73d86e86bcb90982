import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A clock that hands out evenly spaced moments, `perSecond` of them a second, from its first call on: each call
 * waits for the next free one. An application tracing its normal traffic sends traces like this, not in a burst.
 *
 * @example
 * const pace = createSteadyPace(10);
 * await pace(); // the first at once, the next 100 ms after it, …
 */
export function createSteadyPace(perSecond: number) {
  const gapMs = 1000 / perSecond;
  let next: number | undefined;
  return async function pace(): Promise<void> {
    const now = Date.now();
    // A caller that comes after its moment goes at once; the moments after it keep their spacing from there.
    next = Math.max(next ?? now, now);
    const at = next;
    next += gapMs;
    if (at > now) await sleep(at - now);
  };
}
