/**
 * Remembers each key's read for `maxAgeMs`: callers within that time share one read, in flight or done. A read
 * that fails is forgotten at once, so the next caller reads again. `set` records an answer learnt otherwise.
 */
export function rememberedReads<K, V>(maxAgeMs: number, read: (key: K) => Promise<V>) {
  const entries = new Map<K, { at: number; value: Promise<V> }>();
  return {
    get(key: K): Promise<V> {
      const entry = entries.get(key);
      if (entry && Date.now() - entry.at < maxAgeMs) return entry.value;
      const fresh = { at: Date.now(), value: read(key) };
      fresh.value.catch(() => entries.get(key) === fresh && entries.delete(key));
      entries.set(key, fresh);
      return fresh.value;
    },
    set(key: K, value: V) {
      entries.set(key, { at: Date.now(), value: Promise.resolve(value) });
    },
  };
}
