// Postgres refuses NUL in text and jsonb, and unpaired UTF-16 surrogates in jsonb (in text they silently become
// U+FFFD): such input must be refused as bad input, not fail as a database error or come back changed.
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether Postgres stores the text exactly as given. */
export const isStorableText = (text: string) => !text.includes('\u0000') && !unpairedSurrogate.test(text);

export const unstorableMessage = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/**
 * The path (keys from the root) of the first string or key in a parsed JSON value that Postgres cannot store
 * exactly, or null when there is none. Iterative, and each step links to its parent instead of copying the path,
 * so a deeply nested or very large body costs neither stack nor quadratic memory.
 */
export function unstorablePath(value: unknown): PropertyKey[] | null {
  interface Step {
    key: PropertyKey;
    parent: Step | null;
  }
  const pathOf = (step: Step | null, last?: PropertyKey) => {
    const path: PropertyKey[] = last === undefined ? [] : [last];
    for (let at = step; at; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const pending: Array<[unknown, Step | null]> = [[value, null]];
  while (pending.length > 0) {
    const [current, step] = pending.pop()!;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return pathOf(step);
    } else if (current !== null && typeof current === 'object') {
      const isArray = Array.isArray(current);
      for (const [key, child] of Object.entries(current)) {
        if (!isStorableText(key)) return pathOf(step, key);
        if (child !== null && (typeof child === 'string' || typeof child === 'object')) {
          pending.push([child, { key: isArray ? Number(key) : key, parent: step }]);
        }
      }
    }
  }
  return null;
}

// In JSON text, NUL and UTF-16 surrogates can only be written as \u escapes: JSON.parse refuses raw control
// characters, and text decoded from UTF-8 holds no unpaired surrogates. (An escaped backslash before a "u" is a
// false alarm, which only costs the full walk.)
const unstorableEscape = /\\u(?:0000|[dD][89a-fA-F])/;

/** Whether JSON text might parse into text Postgres cannot store; when false, `unstorablePath` of it is null. */
export const mayHoldUnstorableText = (json: string) => unstorableEscape.test(json);
