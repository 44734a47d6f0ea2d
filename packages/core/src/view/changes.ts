/**
 * What the upper layer changed, with the semantics of `podman diff` (containers/storage's
 * overlay diff, verified against podman 4.3 — see reference/overlayfs-facts.md):
 * 1. walk upper in pre-order; a whiteout is D;
 * 2. a dir opaque 'y' is D if the first lower layer holding the path holds a non-whiteout;
 * 3. otherwise A, unless a lower holds the path: scanning lowers top first, a whiteout at
 *    the path or an ancestor stops the scan (A); the first layer that has the path decides:
 *    two dirs with equal size, mode and mtime (equal, or equal seconds when either lacks
 *    nanoseconds) are unchanged (their children still walked),
 *    anything else is C;
 * 4. every ancestor of an A or D not recorded otherwise becomes C.
 * Each lower dir is read once, in the same native call as the upper dir it is compared with,
 * and joined by name with it in memory. Only dirs and char devices are examined (statx);
 * other entries keep getdents64's type, which is all the rules need. Whiteouts are char
 * devices 0/0 here, as for podman: the xattr form (6.7+) appears in lower layers built by
 * other tools, not in what the kernel writes to upper.
 * Path-based on purpose, as the engines' diff is: lowers are looked at by path, not through
 * the kernel's lookup (redirects, opaque dirs in lowers), so the answer matches `podman
 * diff` line for line. watch() asks the view's lookup instead (watch.ts).
 */
import type { DirListing } from './listing.js';
import type { LayerStack } from './layer-stack.js';
import { joinPath, parentOf } from './paths.js';
import type { Change } from './types.js';

/** What a lower layer has at a path, as known from the parent dir's listing. */
type Presence = 'dir' | 'absent' | 'whited-out';
/** The same once read: the lower layer's listing of that dir, or why there is none. */
type LowerState = DirListing | 'absent' | 'whited-out';

/** Paths podman bind-mounts into every container and leaves out of `podman diff`. */
export const PODMAN_IGNORED_PATHS: readonly string[] = [
  '/dev', '/proc', '/sys', '/run', '/run/notify', '/run/.containerenv', '/run/secrets', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab',
];

/**
 * st_mtime equality as containers/storage judges it (sameFsTime): exact, or equal seconds
 * when either side has no nanoseconds. (The facts file said "or one second apart"; podman
 * 4.3 reports C for that — changes-podman.test.ts pins it.)
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
function descend(lowers: LowerState[], name: string): Presence[] {
  return lowers.map((st) => {
    if (st === 'whited-out' || st === 'absent') return st;
    const j = st.find(name);
    if (j < 0) return 'absent';
    if (st.isWhiteout(j)) return 'whited-out';
    return st.isDir(j) ? 'dir' : 'absent';
  });
}

const CONCURRENCY = 8;

/** An upper dir still to visit, with what each lower layer has at its path. */
interface Job {
  path: string;
  presences: Presence[];
}

export async function changesOf(stack: LayerStack): Promise<Change[]> {
  const upperIndex = stack.layers.findIndex((l) => l.id === 'upper');
  if (upperIndex < 0) return [];
  const lowerIndexes = stack.layers.map((_, s) => s).filter((s) => s !== upperIndex);
  const recorded = new Map<string, 'A' | 'C' | 'D'>();

  // Read upper's dir at `path` and each lower layer's where the parent's listing says there is
  // one, all in one native call (one thread hop per upper dir, not one per layer).
  const read = async (path: string, presences: Presence[]): Promise<{ upper: DirListing | undefined; lowers: LowerState[] }> => {
    const wanted = presences.flatMap((p, k) => (p === 'dir' ? [{ s: lowerIndexes[k]!, path }] : []));
    const [upper, ...found] = await stack.scanManyLight([{ s: upperIndex, path }, ...wanted]);
    let next = 0;
    const lowers = presences.map((p): LowerState => (p === 'dir' ? (found[next++] ?? 'absent') : p));
    return { upper, lowers };
  };

  const visit = (path: string, upper: DirListing | undefined, lowers: LowerState[]): Job[] => {
    if (!upper) return [];
    const subdirs: Job[] = [];
    for (let i = 0; i < upper.count; i++) {
      const name = upper.name(i);
      const child = joinPath(path, name);
      let kind: 'A' | 'C' | 'D' | undefined;
      if (upper.isWhiteout(i)) kind = 'D';
      else if (upper.isDir(i) && upper.isOpaque(i) && opaqueDeletes(lowers, name)) kind = 'D';
      else kind = compareWithLowers(upper, i, lowers, name);
      if (kind) recorded.set(child, kind);
      if (upper.isDir(i)) subdirs.push({ path: child, presences: descend(lowers, name) });
    }
    return subdirs;
  };

  const queue: Job[] = [{ path: '/', presences: lowerIndexes.map(() => 'dir') }];
  const running = new Set<Promise<void>>();
  while (queue.length > 0 || running.size > 0) {
    while (running.size < CONCURRENCY && queue.length > 0) {
      const job = queue.pop()!;
      const p: Promise<void> = read(job.path, job.presences)
        .then(({ upper, lowers }) => visit(job.path, upper, lowers))
        .then((subdirs) => {
          queue.push(...subdirs);
          running.delete(p);
        });
      running.add(p);
    }
    await Promise.race(running);
  }

  for (const [path, kind] of [...recorded]) {
    if (kind === 'C') continue;
    for (let p = parentOf(path); p !== '/'; p = parentOf(p)) {
      if (!recorded.has(p)) recorded.set(p, 'C');
    }
  }
  return [...recorded].map(([path, kind]) => ({ path, kind })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
