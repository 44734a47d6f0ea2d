/**
 * What the upper layer changed, as the container engines' diff says it (the rules are in
 * diff-rules.ts): upper walked in pre-order, each upper dir read with the lower layers' dirs
 * at the same path and joined by name in memory. A lower dir far bigger than the upper dir
 * over it (a package manager's few files in /usr/lib) is not read whole: the upper dir's names
 * are looked up in it instead, which is all the rules ask of it. Only dirs and char devices
 * are examined (statx); other entries keep getdents64's type, which is all the rules need.
 * Whiteouts are char devices 0/0 here, as for podman: the xattr form (6.7+) appears in lower
 * layers built by other tools, not in what the kernel writes to upper.
 */
import type { DirListing } from './listing.js';
import { classifyUpperEntry, descend, withAncestors, type LowerState, type Presence } from './diff-rules.js';
import type { LayerStack } from './layer-stack.js';
import { joinPath } from './paths.js';
import type { DirSource } from './resolve.js';
import type { Change } from './types.js';

/** Paths podman bind-mounts into every container and leaves out of `podman diff`. */
export const PODMAN_IGNORED_PATHS: readonly string[] = [
  '/dev', '/proc', '/sys', '/run', '/run/notify', '/run/.containerenv', '/run/secrets', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab',
];

/**
 * Native calls in flight, and the most upper dirs one call reads. Each call reads a batch of
 * upper dirs (with their lower layers' dirs) in one thread hop: a hop costs more than reading
 * a dir of a few hundred entries (measured on 2 loaded cores: ~90 µs of work, 150–400 µs a
 * round trip), so a container's 50 changed dirs take a few calls, not 50. A batch is at most
 * BATCH dirs, so the listings held at once stay bounded however wide the upper tree is.
 */
const CALLS = 4;
const BATCH = 256;
/**
 * A lower dir whose st_size is this many times its upper dir's is looked up by the upper's
 * names (a statx each) rather than read whole (getdents64, then every name to JS). st_size
 * grows with the entries on every common filesystem (ext4 and xfs blocks, tmpfs 20 bytes an
 * entry, btrfs name bytes); it only picks the cheaper way, both give the same answer.
 */
const LOOKUP_RATIO = 8;

/** An upper dir still to visit, with what each lower layer has at its path (and the dirs' st_size, when known). */
interface Job {
  path: string;
  presences: Presence[];
  sizes?: { upper: number; lowers: number[] };
}

/** One upper dir as read: its listing and each lower layer's state at its path. */
interface Read {
  job: Job;
  upper: DirListing | undefined;
  lowers: LowerState[];
}

/** Whether lower layer `k`'s dir at the job's path is better looked up by name than read. */
function lookUp(job: Job, k: number): boolean {
  return job.sizes !== undefined && job.sizes.lowers[k]! >= LOOKUP_RATIO * Math.max(1, job.sizes.upper);
}

const mangled = (name: string): boolean => name.includes('\uFFFD');

/** st_size of each lower layer's dir `name` (0 where it is not a dir), from the parent's listings. */
function lowerDirSizes(lowers: LowerState[], name: string): number[] {
  return lowers.map((st) => {
    if (st === 'absent' || st === 'whited-out') return 0;
    const j = st.find(name);
    return j >= 0 && st.isDir(j) ? st.scan.size[j]! : 0;
  });
}

export async function changesOf(stack: LayerStack): Promise<Change[]> {
  const upperIndex = stack.layers.findIndex((l) => l.id === 'upper');
  if (upperIndex < 0) return [];
  const lowerIndexes = stack.layers.map((_, s) => s).filter((s) => s !== upperIndex);
  const recorded = new Map<string, Change['kind']>();

  // Read each job's upper dir, and each lower layer's where the parent's listing says there is
  // one: every dir of the batch read whole in one native call, then the big lower dirs'
  // lookups of the upper names in a second.
  const read = async (jobs: Job[]): Promise<Read[]> => {
    const pairs = jobs.flatMap((job) => [{ s: upperIndex, path: job.path }, ...job.presences.flatMap((p, k) => (p === 'dir' && !lookUp(job, k) ? [{ s: lowerIndexes[k]!, path: job.path }] : []))]);
    const found = await stack.scanManyLight(pairs);
    let next = 0;
    const lookups: Array<{ at: number; k: number; pair: DirSource; names: string[] }> = [];
    const reads = jobs.map((job, at): Read => {
      const upper = found[next++];
      const lowers = job.presences.map((p, k): LowerState => {
        if (p !== 'dir') return p;
        if (!lookUp(job, k)) return found[next++] ?? 'absent';
        // Nothing to look up in an upper dir that is empty or gone.
        if (upper !== undefined && upper.count > 0) lookups.push({ at, k, pair: { s: lowerIndexes[k]!, path: job.path }, names: upper.scan.names });
        return 'absent';
      });
      return { job, upper, lowers };
    });
    if (lookups.length > 0) {
      // A name that is not valid UTF-8 reaches JS with U+FFFD in it and cannot be looked up by
      // that string: such a dir is read whole, its names then matched as the upper's are.
      const [byName, whole] = [lookups.filter((l) => !l.names.some(mangled)), lookups.filter((l) => l.names.some(mangled))];
      const [looked, listed] = await Promise.all([
        byName.length > 0 ? stack.scanNamesLight(byName.map((l) => l.pair), byName.map((l) => l.names)) : [],
        whole.length > 0 ? stack.scanManyLight(whole.map((l) => l.pair)) : [],
      ]);
      byName.forEach((l, i) => (reads[l.at]!.lowers[l.k] = looked[i] ?? 'absent'));
      whole.forEach((l, i) => (reads[l.at]!.lowers[l.k] = listed[i] ?? 'absent'));
    }
    return reads;
  };

  const visit = ({ job: { path }, upper, lowers }: Read): Job[] => {
    if (!upper) return [];
    const subdirs: Job[] = [];
    for (let i = 0; i < upper.count; i++) {
      const name = upper.name(i);
      const child = joinPath(path, name);
      const kind = classifyUpperEntry(upper, i, lowers);
      if (kind) recorded.set(child, kind);
      if (upper.isDir(i)) subdirs.push({ path: child, presences: descend(lowers, name), sizes: { upper: upper.scan.size[i]!, lowers: lowerDirSizes(lowers, name) } });
    }
    return subdirs;
  };

  const queue: Job[] = [{ path: '/', presences: lowerIndexes.map(() => 'dir') }];
  const running = new Set<Promise<void>>();
  while (queue.length > 0 || running.size > 0) {
    while (running.size < CALLS && queue.length > 0) {
      // Share what is queued among the free calls, so a level of 50 dirs runs as a few calls side by side.
      const size = Math.min(BATCH, Math.ceil(queue.length / (CALLS - running.size)));
      const p: Promise<void> = read(queue.splice(queue.length - size, size)).then((reads) => {
        for (const r of reads) queue.push(...visit(r));
        running.delete(p);
      });
      running.add(p);
    }
    await Promise.race(running);
  }

  return withAncestors(recorded);
}
