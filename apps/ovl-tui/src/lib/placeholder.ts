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
  // The fields of core's entries, in their order: placeholders and entries share one hidden
  // class, so the 100,000-row tree stays monomorphic while both are in it.
  return {
    path: dirPath === '/' ? `/${name}` : `${dirPath}/${name}`, name, type: dir ? 'dir' : 'file', size: 0, mode: 0, mtimeMs: 0, layer: 0,
    shadows: NO_SHADOWS, copiedUp: false, opaque: false, redirect: undefined, metacopy: false, sourcePath: NO_SOURCE,
    dataLayer: undefined, dataPath: undefined, uid: 0, gid: 0, nlink: 0, ino: 0,
  };
}

/** Whether `e` is a placeholder: nothing is known of it but its name and whether it is a dir. */
export function isPlaceholder(e: MergedEntry): boolean {
  return e.sourcePath === NO_SOURCE;
}
