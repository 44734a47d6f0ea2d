// Merging the sorted names of a merged dir's layer dirs (pure: listings built from arrays).
import { describe, expect, it } from 'vitest';
import { DirListing, type DirScan } from '../src/view/listing.js';
import { mergeNames } from '../src/view/merge-names.js';

const listing = (names: string[]) => new DirListing({ count: names.length, names, mode: new Uint32Array(names.length), flags: new Uint8Array(names.length), redirect: [] } as unknown as DirScan, '/x');
const view = (m: ReturnType<typeof mergeNames>) => m.names.map((n, u) => `${n}@${m.top[u]}:${m.at[u]}${m.shared[u] ? '*' : ''}`);

describe('mergeNames', () => {
  it('gives each name once, in order, with the top-most listing holding it and whether others do too', () => {
    const m = mergeNames([listing(['b', 'd']), undefined, listing(['a', 'b', 'c']), listing(['c', 'e'])]);
    expect(view(m)).toEqual(['a@2:0', 'b@0:0*', 'c@2:2*', 'd@0:1', 'e@3:1']);
  });

  it('one listing: its own order and indices, nothing shared', () => {
    expect(view(mergeNames([undefined, listing(['a', 'b'])]))).toEqual(['a@1:0', 'b@1:1']);
    expect(view(mergeNames([undefined, listing([])]))).toEqual([]);
  });

  it('listings in byte order that JS orders differently are merged in JS order all the same', () => {
    // U+FF21 comes before U+1F600 in UTF-8 bytes (as the addon sorts) but after it in UTF-16.
    const bytes = ['a', '\uFF21', '\u{1F600}'];
    const m = mergeNames([listing(bytes), listing(['\u{1F600}', 'z'])]);
    expect(m.names).toEqual([...new Set([...bytes, 'z'])].sort());
    expect(view(m)).toContain('\u{1F600}@0:2*');
  });

  it('agrees with a set-and-sort merge on random listings (many layers too)', () => {
    let seed = 3;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 200; round++) {
      const lists = Array.from({ length: 1 + rnd(round % 10 === 0 ? 30 : 5) }, () =>
        rnd(5) === 0 ? undefined : [...new Set(Array.from({ length: rnd(12) }, () => `n${rnd(20)}`))].sort(),
      );
      const m = mergeNames(lists.map((l) => l && listing(l)));
      const expected = [...new Set(lists.flatMap((l) => l ?? []))].sort();
      expect(m.names).toEqual(expected);
      m.names.forEach((name, u) => {
        const holders = lists.flatMap((l, k) => (l?.includes(name) ? [k] : []));
        expect([m.top[u], lists[m.top[u]!]![m.at[u]!], m.shared[u] === 1]).toEqual([holders[0], name, holders.length > 1]);
      });
    }
  });
});
