/**
 * The names of one merged dir: the union of its layer dirs' names, in order, and for each the
 * top-most layer dir that holds it. Layer dirs come sorted from the addon, so this is a merge
 * of sorted lists — no Set of every name and no sort of 100,000 strings in JS — and it tells,
 * for free, which names only one layer holds (most of them, in most dirs): those need no
 * lookup in the other layers at all.
 */
import type { DirListing } from './listing.js';

export interface MergedNames {
  /** Every name, ascending in JS string order. */
  names: string[];
  /** Position in the listings array of the top-most listing holding names[u]. */
  top: Int32Array;
  /** Index of names[u] in that listing. */
  at: Int32Array;
  /** 1 when more than one listing holds names[u]. */
  shared: Uint8Array;
}

/** Above this many listings a linear pick of the smallest head costs more than the general path. */
const MAX_LINEAR_MERGE = 16;

export function mergeNames(listings: ReadonlyArray<DirListing | undefined>): MergedNames {
  const present: Array<{ k: number; names: readonly string[] }> = [];
  listings.forEach((l, k) => l && l.count > 0 && present.push({ k, names: l.scan.names }));
  if (present.length === 0) return { names: [], top: new Int32Array(0), at: new Int32Array(0), shared: new Uint8Array(0) };
  // The addon sorts by bytes; JS compares UTF-16 units. They differ only for names with
  // characters above U+FFFF next to ones in U+E000..U+FFFF: such listings take the general path.
  const sorted = present.every((p) => listings[p.k]!.isSorted());
  if (sorted && present.length === 1) {
    const { k, names } = present[0]!;
    const at = new Int32Array(names.length);
    for (let i = 0; i < at.length; i++) at[i] = i;
    return { names: names as string[], top: new Int32Array(names.length).fill(k), at, shared: new Uint8Array(names.length) };
  }
  return sorted && present.length <= MAX_LINEAR_MERGE ? mergeSorted(present) : mergeAny(present);
}

function mergeSorted(present: Array<{ k: number; names: readonly string[] }>): MergedNames {
  const total = present.reduce((n, p) => n + p.names.length, 0);
  const names: string[] = [];
  const top = new Int32Array(total);
  const at = new Int32Array(total);
  const shared = new Uint8Array(total);
  const cursor = new Int32Array(present.length);
  for (;;) {
    // The smallest head; on a tie the earlier listing (the higher layer) keeps it.
    let best: string | undefined;
    let q = -1;
    for (let p = 0; p < present.length; p++) {
      const list = present[p]!.names;
      const c = cursor[p]!;
      if (c < list.length && (best === undefined || list[c]! < best)) {
        best = list[c];
        q = p;
      }
    }
    if (q < 0) break;
    const u = names.length;
    names.push(best!);
    top[u] = present[q]!.k;
    at[u] = cursor[q]!;
    let holders = 0;
    for (let p = q; p < present.length; p++) {
      if (present[p]!.names[cursor[p]!] === best) {
        cursor[p]!++;
        holders++;
      }
    }
    shared[u] = holders > 1 ? 1 : 0;
  }
  const n = names.length;
  return { names, top: top.subarray(0, n), at: at.subarray(0, n), shared: shared.subarray(0, n) };
}

/** Any number of listings in any order: a map of names, then one sort. */
function mergeAny(present: Array<{ k: number; names: readonly string[] }>): MergedNames {
  const first = new Map<string, { k: number; i: number; holders: number }>();
  for (const { k, names } of present) {
    for (let i = 0; i < names.length; i++) {
      const seen = first.get(names[i]!);
      if (seen) seen.holders++;
      else first.set(names[i]!, { k, i, holders: 1 });
    }
  }
  const names = [...first.keys()].sort();
  const top = new Int32Array(names.length);
  const at = new Int32Array(names.length);
  const shared = new Uint8Array(names.length);
  names.forEach((name, u) => {
    const f = first.get(name)!;
    top[u] = f.k;
    at[u] = f.i;
    shared[u] = f.holders > 1 ? 1 : 0;
  });
  return { names, top, at, shared };
}
