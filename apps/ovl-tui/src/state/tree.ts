/**
 * The merged tree's dirs: loaded dirs kept sorted and patched in place as changes arrive
 * (rows.ts lays them out as rows). Pure. Entries are keyed by path, never inode: overlay
 * inode numbers can change on copy-up unless xino is on.
 */
import type { MergedEntry } from '../service/types.js';

export type SortKey = 'name' | 'size';

export interface ViewOptions {
  ghosts: boolean;
  hidden: boolean;
  changesOnly: boolean;
  sort: SortKey;
  /** Lower-case substring that file names must contain ('' = no filter). */
  filter: string;
}

export interface DirState {
  status: 'loading' | 'loaded' | 'error';
  /** Sorted by the current sort key. */
  entries: MergedEntry[];
  error?: string;
}

/** A loaded dir from entries in any order. */
export function loadedDir(entries: readonly MergedEntry[], key: SortKey): DirState {
  return { status: 'loaded', entries: sortEntries(entries, key) };
}

/** What changes-only mode shows: changed paths and the dirs above them. */
export interface ChangeSets {
  changed: ReadonlyMap<string, 'A' | 'C' | 'D'>;
  ancestors: ReadonlySet<string>;
}

export type Dirs = ReadonlyMap<string, DirState>;

export const isDir = (e: MergedEntry): boolean => e.type === 'dir';

/** Dirs first, then by name (byte order, like `LC_ALL=C ls`) or by size, biggest first. */
export function comparator(key: SortKey): (a: MergedEntry, b: MergedEntry) => number {
  return (a, b) => {
    const d = Number(isDir(b)) - Number(isDir(a));
    if (d !== 0) return d;
    if (key === 'size' && a.size !== b.size) return b.size - a.size;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

export function sortEntries(entries: readonly MergedEntry[], key: SortKey): MergedEntry[] {
  // core lists a dir sorted by name: then dirs-first is a stable partition, no sort needed.
  // Plain loops: this runs for every piece of a 100,000-entry dir while keys wait.
  const dirs: MergedEntry[] = [];
  const rest: MergedEntry[] = [];
  for (const e of entries) (e.type === 'dir' ? dirs : rest).push(e);
  const out = dirs.length === 0 ? rest : dirs.concat(rest);
  const cmp = comparator(key);
  const sorted = key === 'name' ? inNameOrder(dirs) && inNameOrder(rest) : out.every((e, i) => i === 0 || cmp(out[i - 1]!, e) <= 0);
  return sorted ? out : out.sort(cmp);
}

function inNameOrder(list: readonly MergedEntry[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1]!.name > list[i]!.name) return false;
  return true;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Replace, add or drop entries of loaded dirs: `entry` undefined means the name is gone.
 * Only touched dirs are copied; dirs not loaded are left alone (they read fresh when opened).
 */
export function patchDirs(dirs: Dirs, updates: ReadonlyArray<{ path: string; entry: MergedEntry | undefined }>, key: SortKey): Dirs {
  const byDir = new Map<string, Map<string, MergedEntry | undefined>>();
  for (const { path, entry } of updates) {
    if (path === '/') continue; // the root is no row (its times change with every new name)
    const parent = parentOf(path);
    if (dirs.get(parent)?.status !== 'loaded') continue;
    let names = byDir.get(parent);
    if (!names) byDir.set(parent, (names = new Map()));
    names.set(nameOf(path), entry); // the last word on a name wins
  }
  if (byDir.size === 0) return dirs;
  const next = new Map(dirs);
  for (const [p, names] of byDir) next.set(p, { status: 'loaded', entries: patchList(dirs.get(p)!.entries, names, key) });
  return next;
}

/** First index whose entry is not less than `probe` in `list[lo, hi)`. */
function lowerBound(list: readonly MergedEntry[], lo: number, hi: number, less: (e: MergedEntry) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (less(list[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where `name` is in a sorted list, or -1. */
function indexOfName(list: readonly MergedEntry[], name: string, key: SortKey, firstFile: number, index: () => Map<string, number>): number {
  if (key === 'size') return index().get(name) ?? -1;
  // Sorted by name within dirs [0, firstFile) and within the rest.
  for (const [lo, hi] of [[0, firstFile], [firstFile, list.length]] as const) {
    const i = lowerBound(list, lo, hi, (e) => e.name < name);
    if (i < hi && list[i]!.name === name) return i;
  }
  return -1;
}

/**
 * A sorted dir listing with some names replaced, added or dropped. The cost is binary searches
 * plus one copy of the list: a burst of thousands of changes in a 100,000-entry dir must not
 * cost a comparison (let alone a splice) per entry per change.
 */
function patchList(list: readonly MergedEntry[], names: ReadonlyMap<string, MergedEntry | undefined>, key: SortKey): MergedEntry[] {
  const cmp = comparator(key);
  const firstFile = lowerBound(list, 0, list.length, isDir);
  let byName: Map<string, number> | undefined;
  const index = () => (byName ??= new Map(list.map((e, i) => [e.name, i])));
  const removed = new Set<number>();
  const added: Array<{ at: number; entry: MergedEntry }> = [];
  for (const [name, entry] of names) {
    const old = indexOfName(list, name, key, firstFile, index);
    if (old >= 0) removed.add(old);
    if (entry) added.push({ at: lowerBound(list, 0, list.length, (e) => cmp(e, entry) < 0), entry });
  }
  added.sort((a, b) => a.at - b.at || cmp(a.entry, b.entry));
  const gone = [...removed].sort((a, b) => a - b);
  // Copy the runs between change points in plain loops: no per-entry lookup in `removed`.
  const out: MergedEntry[] = new Array(list.length - gone.length + added.length);
  let i = 0;
  let o = 0;
  let r = 0;
  let j = 0;
  for (;;) {
    const stop = Math.min(j < added.length ? added[j]!.at : list.length, r < gone.length ? gone[r]! : list.length);
    while (i < stop) out[o++] = list[i++]!;
    while (j < added.length && added[j]!.at === i) out[o++] = added[j++]!.entry;
    if (i === list.length) break;
    if (gone[r] === i) {
      r++;
      i++;
    }
  }
  return out;
}

/** The dirs above each changed path (for changes-only mode). */
export function changeSets(changed: ReadonlyMap<string, 'A' | 'C' | 'D'>): ChangeSets {
  const ancestors = new Set<string>();
  for (const p of changed.keys()) {
    for (let q = parentOf(p); q !== '/' && !ancestors.has(q); q = parentOf(q)) ancestors.add(q);
  }
  return { changed, ancestors };
}

/** The change kind (podman diff's A/C/D) an entry stands for, or undefined for a lower entry. */
export function changeKindOf(entry: MergedEntry | undefined): 'A' | 'C' | 'D' | undefined {
  if (!entry || entry.layer !== 'upper') return undefined;
  if (entry.type === 'whiteout') return 'D';
  return entry.shadows.length > 0 ? 'C' : 'A';
}
