// The bounded caches the build puts into the bundled Ink's text measuring (scripts/build.mjs).
import { describe, expect, it } from 'vitest';
import { BoundedCache, memoized } from '../../src/terminal/ink-compat/bounded-cache.js';

describe('bounded cache', () => {
  it('keeps what was set or used since the last turnover and in the one before, and no more', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1).set('b', 2); // full
    c.set('c', 3); // turnover: a, b are the previous generation
    expect(c.get('a')).toBe(1); // used: moved into the current one (c, a)
    c.set('d', 4); // turnover: c, a previous; b gone
    expect([c.get('b'), c.get('c'), c.get('d')]).toEqual([undefined, 3, 4]);
  });

  it('answers a memoized function from the cache, and from the function once an answer is gone', () => {
    const calls: string[] = [];
    const width = memoized((s: string) => (calls.push(s), s.length), 2);
    expect([width('ab'), width('ab'), width('abc')]).toEqual([2, 2, 3]);
    expect(calls).toEqual(['ab', 'abc']);
    for (const s of ['x', 'y', 'z', 'w']) width(s); // two turnovers: 'ab' and 'abc' are gone
    expect(width('ab')).toBe(2);
    expect(calls.at(-1)).toBe('ab');
  });
});
