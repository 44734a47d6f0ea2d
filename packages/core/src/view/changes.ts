/**
 * What the upper layer changed, as the container engines' diff says it (the rules are in
 * diff-rules.ts): upper walked in pre-order, each upper dir read with the lower layers' dirs
 * at the same path in the same native call and joined by name in memory. Only dirs and char
 * devices are examined (statx); other entries keep getdents64's type, which is all the rules
 * need. Whiteouts are char devices 0/0 here, as for podman: the xattr form (6.7+) appears in
 * lower layers built by other tools, not in what the kernel writes to upper.
 */
import type { DirListing } from './listing.js';
import { classifyUpperEntry, descend, withAncestors, type LowerState, type Presence } from './diff-rules.js';
import type { LayerStack } from './layer-stack.js';
import { joinPath } from './paths.js';
import type { Change } from './types.js';

/** Paths podman bind-mounts into every container and leaves out of `podman diff`. */
export const PODMAN_IGNORED_PATHS: readonly string[] = [
  '/dev', '/proc', '/sys', '/run', '/run/notify', '/run/.containerenv', '/run/secrets', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab',
];

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
  const recorded = new Map<string, Change['kind']>();

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
      const kind = classifyUpperEntry(upper, i, lowers);
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

  return withAncestors(recorded);
}
