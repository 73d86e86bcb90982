/**
 * A lookup whose answers are kept for `ttlMs` (failures never; answers `keep` refuses, such as "not there yet",
 * neither). `peek` reads a kept answer without asking.
 */
export function remembered<K, V>(ttlMs: number, load: (key: K) => Promise<V>, keep: (value: V) => boolean = () => true) {
  const kept = new Map<K, { at: number; value: Promise<V> }>();
  const settled = new Map<K, V>();
  const lookup = async (key: K): Promise<V> => {
    const hit = kept.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = load(key);
    kept.set(key, { at: Date.now(), value });
    if (kept.size > 1000) kept.delete(kept.keys().next().value as K);
    try {
      const answer = await value;
      if (keep(answer)) {
        settled.set(key, answer);
        if (settled.size > 1000) settled.delete(settled.keys().next().value as K);
      } else kept.delete(key);
      return answer;
    } catch (error) {
      kept.delete(key);
      throw error;
    }
  };
  lookup.peek = (key: K): V | undefined => settled.get(key);
  return lookup;
}
