// Postgres refuses NUL in text and jsonb, and unpaired UTF-16 surrogates in jsonb: such input must be
// refused as a client error before it reaches the database, never turned into a 500.
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const unstorableMessage = 'text must not contain NUL characters or unpaired surrogates';

/** Whether Postgres stores the text exactly as given. */
export const isStorableText = (text: string) => !text.includes('\u0000') && !unpairedSurrogate.test(text);

/** Whether every string and key of a JSON value is storable; iterative, so deep nesting cannot overflow the stack. */
export function isStorable(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === 'string') {
      if (!isStorableText(current)) return false;
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (!isStorableText(key)) return false;
        pending.push(child);
      }
    }
  }
  return true;
}
