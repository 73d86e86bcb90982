/**
 * How deeply a parsed JSON value nests (a scalar is 0). Iterative, so a hostile body cannot overflow the stack
 * before we get to refuse it.
 */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The deepest nesting accepted in user-supplied JSON (metadata, attributes, evaluations). */
export const maxJsonDepth = 16;
