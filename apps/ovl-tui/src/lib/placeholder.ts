/**
 * Placeholder entries: a name of a dir whose details are still being read. Core hands over a
 * dir's names first (readdirChunks' onNames), long before the last piece of details of a huge
 * dir; each name stands in the tree as a placeholder (its name, its path, dir or not) so the
 * listing can be laid out, searched and jumped through at once. Pure.
 */
import type { LayerId, MergedEntry } from '../service/types.js';

/** A placeholder's sourcePath: every real entry has its layer file's absolute path there. */
const NO_SOURCE = '';
const NO_SHADOWS: LayerId[] = [];

/** The stand-in for `name` in the dir `dirPath` until its details arrive. */
export function placeholderEntry(dirPath: string, name: string, dir: boolean): MergedEntry {
  // Every field of an entry, but sourcePath first: a hidden class of their own. Sharing core's
  // (same fields, same order) cost more than it saved: placeholders come first, with small
  // integers where core's entries then bring doubles (mtimeMs, large sizes and inodes), so V8
  // deprecated the shared class and migrated each of 100,000 placeholders on its next touch
  // (sorting a piece of a 100,000-entry dir took 30-50 ms instead of ~5 ms).
  return {
    sourcePath: NO_SOURCE, path: dirPath === '/' ? `/${name}` : `${dirPath}/${name}`, name, type: dir ? 'dir' : 'file', size: 0, mode: 0,
    mtimeMs: 0, layer: 0, shadows: NO_SHADOWS, copiedUp: false, opaque: false, redirect: undefined, metacopy: false,
    dataLayer: undefined, dataPath: undefined, uid: 0, gid: 0, nlink: 0, ino: 0,
  };
}

/** Whether `e` is a placeholder: nothing is known of it but its name and whether it is a dir. */
export function isPlaceholder(e: MergedEntry): boolean {
  return e.sourcePath === NO_SOURCE;
}
