/**
 * Caches for the text measuring the bundled Ink does every frame (scripts/build.mjs puts them
 * in): Ink measures each text's widest line with `widest-line` (string-width: regular
 * expressions over every character) once per frame per text, uncached, and caches the size of
 * each text it lays out in a module-level Map that only grows. While a 100,000-entry dir
 * loaded, that measuring was the largest part of a frame's CPU; the Map held every row text
 * ever shown. Here both keep what recent frames used, and a bounded amount of it.
 */

/** A cache of at most 2 x `limit` entries: those set or used since the last turnover, and those of the one before. */
export class BoundedCache<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): this {
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
    return this;
  }
}

/** `fn` (a pure function of a string) with its recent answers kept. */
export function memoized<V>(fn: (s: string) => V, limit: number): (s: string) => V {
  const cache = new BoundedCache<string, V>(limit);
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      cache.set(s, v);
    }
    return v;
  };
}

/**
 * Texts whose measures are kept: a frame of the app holds 50-60 texts, so this is the last
 * few dozen frames' worth, and a few hundred KB at most.
 */
export const TEXTS_KEPT = 2000;
