/**
 * The rules of the container engines' diff (`podman diff`: containers/storage's overlay
 * diff, verified against podman 4.3 — docs/view.md), on listings
 * already read. Pure: changes.ts does the reading and the walk; diff-rules.test.ts holds
 * each rule without root.
 * 1. a whiteout in upper is D;
 * 2. a dir opaque 'y' is D if the first lower layer holding the path holds a non-whiteout;
 * 3. otherwise A, unless a lower holds the path: scanning lowers top first, a whiteout at
 *    the path or an ancestor stops the scan (A); the first layer that has the path decides:
 *    two dirs with equal size, mode and mtime (equal, or equal seconds when either lacks
 *    nanoseconds) are unchanged (their children still walked), anything else is C;
 * 4. every ancestor of an A or D not recorded otherwise becomes C.
 * Path-based on purpose, as the engines' diff is: lowers are looked at by path, not through
 * the kernel's lookup (redirects, opaque dirs in lowers), so the answer matches `podman
 * diff` line for line. watch() asks the view's lookup instead (watch.ts).
 */
import type { DirListing } from './listing.js';
import { parentOf } from './paths.js';
import type { Change } from './types.js';

/** What a lower layer has at a path, as known from the parent dir's listing. */
export type Presence = 'dir' | 'absent' | 'whited-out';
/** The same once read: the lower layer's listing of that dir, or why there is none. */
export type LowerState = DirListing | 'absent' | 'whited-out';

/**
 * st_mtime equality as containers/storage judges it (sameFsTime): exact, or equal seconds
 * when either side has no nanoseconds. One second apart is a change: podman 4.3 reports C
 * for it (changes-podman.test.ts pins it).
 */
function sameMtime(a: DirListing, i: number, b: DirListing, j: number): boolean {
  const [sa, na, sb, nb] = [a.scan.mtimeSec[i]!, a.scan.mtimeNs[i]!, b.scan.mtimeSec[j]!, b.scan.mtimeNs[j]!];
  if (sa === sb && na === nb) return true;
  return (na === 0 || nb === 0) && sa === sb;
}

function unchangedDir(upper: DirListing, i: number, lower: DirListing, j: number): boolean {
  return upper.isDir(i) && lower.isDir(j) && upper.scan.size[i] === lower.scan.size[j] && upper.mode(i) === lower.mode(j) && sameMtime(upper, i, lower, j);
}

/** Rule 2: is an opaque upper dir at `name` a deletion of something below? */
function opaqueDeletes(lowers: LowerState[], name: string): boolean {
  for (const st of lowers) {
    if (st === 'whited-out') return false;
    if (st === 'absent') continue;
    const j = st.find(name);
    if (j < 0) continue;
    return !st.isWhiteout(j);
  }
  return false;
}

/** Rule 3: A, C, or undefined for an unchanged dir. */
function compareWithLowers(upper: DirListing, i: number, lowers: LowerState[], name: string): 'A' | 'C' | undefined {
  for (const st of lowers) {
    if (st === 'whited-out') return 'A';
    if (st === 'absent') continue;
    const j = st.find(name);
    if (j < 0) continue;
    if (st.isWhiteout(j)) return 'A';
    return unchangedDir(upper, i, st, j) ? undefined : 'C';
  }
  return 'A';
}

/** What each lower layer has at the child dir `name`, from the parent's listings. */
export function descend(lowers: LowerState[], name: string): Presence[] {
  return lowers.map((st) => {
    if (st === 'whited-out' || st === 'absent') return st;
    const j = st.find(name);
    if (j < 0) return 'absent';
    if (st.isWhiteout(j)) return 'whited-out';
    return st.isDir(j) ? 'dir' : 'absent';
  });
}

/** Rules 1–3 for entry `i` of an upper dir whose lower layers are `lowers`: D, A, C, or undefined (unchanged). */
export function classifyUpperEntry(upper: DirListing, i: number, lowers: LowerState[]): Change['kind'] | undefined {
  const name = upper.name(i);
  if (upper.isWhiteout(i)) return 'D';
  if (upper.isDir(i) && upper.isOpaque(i) && opaqueDeletes(lowers, name)) return 'D';
  return compareWithLowers(upper, i, lowers, name);
}

/** Rule 4, then the list in path order: ancestors of every A or D not recorded otherwise become C. */
export function withAncestors(recorded: Map<string, Change['kind']>): Change[] {
  // Dirs whose ancestors are all recorded already: the climb from a sibling stops there.
  const climbed = new Set<string>();
  for (const [path, kind] of [...recorded]) {
    if (kind === 'C') continue;
    for (let p = parentOf(path); p !== '/' && !climbed.has(p); p = parentOf(p)) {
      climbed.add(p);
      if (!recorded.has(p)) recorded.set(p, 'C');
    }
  }
  // The default sort compares UTF-16 code units, as `<` does, without a call per comparison.
  return [...recorded.keys()].sort().map((path) => ({ path, kind: recorded.get(path)! }));
}
