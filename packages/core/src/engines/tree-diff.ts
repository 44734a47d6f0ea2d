/**
 * The engines' tree diff: what `docker diff` says of a container (and of the layer a `docker
 * commit` makes), and what containerd's own diff of a snapshot holds (`ctr snapshots diff`: a
 * double walk of both trees written as a tar, parent dirs included). Since Docker 18.06 (moby
 * ac5d363e, "Update overlay2 to use naive diff for changes") overlay2's Changes() is the naive
 * diff whatever `docker info` says of "Native Overlay Diff": the container's merged tree
 * against its parent's (go-archive ChangesDirs / FileInfo.addChanges):
 * - a name only in the new tree is A, and so is everything below it;
 * - a name in both is C when statDifferent (mode with type bits, uid, gid, rdev; for a
 *   non-dir also size and mtime, same second with either side's nanoseconds zero counting as
 *   equal) or its security.capability differs; a dir is compared child by child either way;
 * - a name only in the old tree is D, itself only (nothing below it);
 * - a dir with any change below it that is not itself A or C is C; the root never is.
 * These differ from containers/storage's rules (changes(), diff-rules.ts): an opaque dir
 * is C with each old child D, and a touched file's parent dirs are C up to the root.
 * Only dirs that the upper layer holds are visited: everything else is the same inode in
 * both trees, which Docker's walker skips too.
 */
import { lstat } from 'node:fs/promises';
import { sys } from '../sys.js';
import { openOverlay } from '../view/open.js';
import type { Change, ChangesOptions, MergedEntry, OverlayView } from '../view/types.js';

/** go-archive sameFsTime: equal, or the same second with one side's nanoseconds zero. */
function sameFsTime(aMs: number, bMs: number): boolean {
  if (aMs === bMs) return true;
  return Math.floor(aMs / 1000) === Math.floor(bMs / 1000) && (aMs % 1000 === 0 || bMs % 1000 === 0);
}

function capability(path: string): Buffer | undefined {
  try {
    return sys.lgetxattr(path, 'security.capability');
  } catch {
    return undefined;
  }
}

async function rdev(e: MergedEntry): Promise<number> {
  return e.type === 'chardev' || e.type === 'blockdev' ? (await lstat(e.sourcePath)).rdev : 0;
}

async function statDifferent(o: MergedEntry, n: MergedEntry): Promise<boolean> {
  if (o.mode !== n.mode || o.uid !== n.uid || o.gid !== n.gid) return true;
  if (o.type !== 'dir' && (!sameFsTime(o.mtimeMs, n.mtimeMs) || o.size !== n.size)) return true;
  if ((await rdev(o)) !== (await rdev(n))) return true;
  const [oc, nc] = [capability(o.sourcePath), capability(n.sourcePath)];
  return oc === undefined ? nc !== undefined : nc === undefined || !oc.equals(nc);
}

const byPath = (a: Change, b: Change): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The tree diff of `view`'s upper layer over its lower layers, sorted by path. */
export async function treeDiffChanges(view: OverlayView): Promise<Change[]> {
  if (view.layers.upper === undefined) return [];
  const old = view.layers.lower.length > 0 ? await openOverlay({ lower: view.layers.lower }) : undefined;
  const out: Change[] = [];

  // addChanges for the dir at `path` (new side), `oldDir` the old tree's entry there.
  const addChanges = async (path: string, oldIsDir: boolean, marked: boolean): Promise<void> => {
    const start = out.length;
    const [kids, oldKids] = await Promise.all([view.readdir(path), oldIsDir && old !== undefined ? old.readdir(path) : []]);
    const olds = new Map(oldKids.map((e) => [e.name, e]));
    for (const n of kids) {
      const o = olds.get(n.name);
      olds.delete(n.name);
      // Not in upper: the same entry (a dir: the same subtree) in both trees.
      if (n.layer !== 'upper') continue;
      let childMarked = o === undefined;
      if (o === undefined) out.push({ path: n.path, kind: 'A' });
      else if (await statDifferent(o, n)) {
        out.push({ path: n.path, kind: 'C' });
        childMarked = true;
      }
      if (n.type === 'dir') await addChanges(n.path, o?.type === 'dir', childMarked);
    }
    for (const o of olds.values()) out.push({ path: o.path, kind: 'D' });
    if (out.length > start && !marked && path !== '/') out.splice(start, 0, { path, kind: 'C' });
  };
  await addChanges('/', old !== undefined, false);
  return out.sort(byPath);
}

/** `view` with changes() as the tree diff says them (opts.ignore still leaves paths out). */
export function withTreeDiffChanges<V extends OverlayView>(view: V): V {
  return Object.assign(view, {
    changes: async (opts?: ChangesOptions) => {
      const ignore = new Set(opts?.ignore ?? []);
      return (await treeDiffChanges(view)).filter((c) => !ignore.has(c.path));
    },
  });
}
