/**
 * Placeholder entries: a name of a dir whose details are still being read. Core hands over a
 * dir's names first (readdirChunks' onNames), long before the last piece of details of a huge
 * dir; each name stands in the tree as a placeholder (its name, its path, dir or not) so the
 * listing can be laid out, searched and jumped through at once. Pure.
 */
import type { LayerId, MergedEntry } from '../service/types.js';

/** A placeholder's sourcePath: every real entry has its layer file's absolute path there. */
const NO_SOURCE = '';

/**
 * The stand-in for a name until its details arrive: a MergedEntry whose own fields are only
 * what the name tells (name, dir or not, and the dir it is in: the path is made when asked,
 * which is for the rows on screen); the rest are the same for every placeholder and live
 * once, on the prototype. A 100,000-entry dir makes 100,000 of them at once, while keys wait:
 * as plain objects with all 19 fields they took ~21 MB and ~13 ms to make, as these ~5 MB.
 * (A hidden class of their own either way: sharing core's cost more, see placeholderEntry.)
 */
class Placeholder {
  constructor(
    private readonly dirPath: string,
    public name: string,
    public type: MergedEntry['type'],
  ) {}

  get path(): string {
    return this.dirPath === '/' ? `/${this.name}` : `${this.dirPath}/${this.name}`;
  }
}
interface Placeholder extends Omit<MergedEntry, 'path'> {}
const SHARED: Omit<MergedEntry, 'path' | 'name' | 'type'> = {
  sourcePath: NO_SOURCE, size: 0, mode: 0, mtimeMs: 0, layer: 0 as LayerId, shadows: Object.freeze([]) as unknown as LayerId[], copiedUp: false, opaque: false,
  redirect: undefined, metacopy: false, dataLayer: undefined, dataPath: undefined, uid: 0, gid: 0, nlink: 0, ino: 0,
};
Object.assign(Placeholder.prototype, SHARED);

/** The stand-in for `name` in the dir `dirPath` until its details arrive. */
export function placeholderEntry(dirPath: string, name: string, dir: boolean): MergedEntry {
  // Not core's hidden class: placeholders come first, with small integers where core's entries
  // then bring doubles (mtimeMs, large sizes and inodes), so V8 deprecated a shared class and
  // migrated each of 100,000 placeholders on its next touch (sorting a piece of a 100,000-entry
  // dir took 30-50 ms instead of ~5 ms).
  return new Placeholder(dirPath, name, dir ? 'dir' : 'file');
}

/** Whether `e` is a placeholder: nothing is known of it but its name and whether it is a dir. */
export function isPlaceholder(e: MergedEntry): boolean {
  return e.sourcePath === NO_SOURCE;
}
