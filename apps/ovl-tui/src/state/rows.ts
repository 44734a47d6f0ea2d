/**
 * The tree's rows: every visible entry of the open dirs, depth-first from '/'. Held as runs —
 * slices of each dir's (sorted, filtered) entry array — not as one object per row, so laying
 * out a 100,000-entry dir after a batch of changes costs one pass over its dirs, not 100,000
 * allocations. Row objects are made only for the rows someone asks for (the screen's). Pure.
 */
import type { MergedEntry } from '../service/types.js';
import { isDir, nameOf, parentOf, type ChangeSets, type Dirs, type ViewOptions } from './tree.js';

export interface Row {
  entry: MergedEntry;
  depth: number;
  expanded: boolean;
}

/** entries[from, to) of one dir, shown at `depth`, starting at row `start`. */
interface Run {
  start: number;
  entries: readonly MergedEntry[];
  from: number;
  to: number;
  depth: number;
}

/** Row objects are kept while entry, depth and state stay the same (React memoizes rows by identity). */
const rowCache = new WeakMap<MergedEntry, Row>();

function rowOf(entry: MergedEntry, depth: number, expanded: boolean): Row {
  const cached = rowCache.get(entry);
  if (cached && cached.depth === depth && cached.expanded === expanded) return cached;
  const row = { entry, depth, expanded };
  rowCache.set(entry, row);
  return row;
}

export class RowList implements Iterable<Row> {
  static readonly EMPTY = new RowList([], 0, new Set());

  constructor(
    private readonly runs: readonly Run[],
    readonly length: number,
    private readonly expanded: ReadonlySet<string>,
  ) {}

  /** Row i, or undefined outside [0, length). */
  at(i: number): Row | undefined {
    if (!(i >= 0 && i < this.length)) return undefined;
    let lo = 0;
    let hi = this.runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runs[mid]!.start <= i) lo = mid;
      else hi = mid - 1;
    }
    const run = this.runs[lo]!;
    const entry = run.entries[run.from + i - run.start]!;
    return rowOf(entry, run.depth, isDir(entry) && this.expanded.has(entry.path));
  }

  /** Rows [from, to). */
  slice(from: number, to: number): Row[] {
    const out: Row[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.length); i++) out.push(this.at(i)!);
    return out;
  }

  /** The row of `path`, or -1: only the runs of its parent dir are searched, by name. */
  indexOf(path: string): number {
    const parent = parentOf(path);
    const name = nameOf(path);
    for (const run of this.runs) {
      const first = run.entries[run.from];
      if (first === undefined || parentOf(first.path) !== parent) continue;
      for (let k = run.from; k < run.to; k++) if (run.entries[k]!.name === name) return run.start + k - run.from;
    }
    return -1;
  }

  /** The first row from `from` (inclusive) in `direction`, wrapping, whose entry passes `test`; -1 if none. */
  search(test: (e: MergedEntry) => boolean, from: number, direction: 1 | -1): number {
    const n = this.length;
    for (let i = 0; i < n; i++) {
      const at = (((from + i * direction) % n) + n) % n;
      if (test(this.at(at)!.entry)) return at;
    }
    return -1;
  }

  *[Symbol.iterator](): Iterator<Row> {
    for (const run of this.runs) {
      for (let k = run.from; k < run.to; k++) {
        const entry = run.entries[k]!;
        yield rowOf(entry, run.depth, isDir(entry) && this.expanded.has(entry.path));
      }
    }
  }
}

function shown(e: MergedEntry, o: ViewOptions, sets: ChangeSets): boolean {
  if (o.changesOnly) return sets.changed.has(e.path) || sets.ancestors.has(e.path);
  if (e.type === 'whiteout' && !o.ghosts) return false;
  if (!o.hidden && e.name.startsWith('.')) return false;
  return true;
}

const matchesFilter = (e: MergedEntry, o: ViewOptions) => o.filter === '' || e.name.toLowerCase().includes(o.filter);

/**
 * A dir's entries as shown under the options: the array itself when nothing is hidden (the
 * usual case), else a filtered copy kept for as long as the entries and options stay the same.
 * Files must match the name filter; dirs stay (the walk drops open ones that hold no match).
 */
const shownCache = new WeakMap<readonly MergedEntry[], { o: ViewOptions; sets: ChangeSets; list: readonly MergedEntry[] }>();

function shownEntries(entries: readonly MergedEntry[], o: ViewOptions, sets: ChangeSets): readonly MergedEntry[] {
  if (!o.changesOnly && o.ghosts && o.hidden && o.filter === '') return entries;
  const cached = shownCache.get(entries);
  if (cached && cached.o === o && (!o.changesOnly || cached.sets === sets)) return cached.list;
  const list = entries.filter((e) => shown(e, o, sets) && (isDir(e) || matchesFilter(e, o)));
  shownCache.set(entries, { o, sets, list });
  return list;
}

/** The rows to show: every visible entry of the expanded dirs, depth-first from '/'. */
export function layoutRows(dirs: Dirs, expanded: ReadonlySet<string>, o: ViewOptions, sets: ChangeSets): RowList {
  const runs: Run[] = [];
  let length = 0;
  const push = (entries: readonly MergedEntry[], from: number, to: number, depth: number) => {
    if (to <= from) return;
    runs.push({ start: length, entries, from, to, depth });
    length += to - from;
  };
  const walk = (dirPath: string, depth: number): void => {
    const dir = dirs.get(dirPath);
    if (!dir) return;
    const list = shownEntries(dir.entries, o, sets);
    let from = 0;
    // Dirs come first in every sort order, so only the leading dirs can be open.
    for (let k = 0; k < list.length && isDir(list[k]!); k++) {
      const e = list[k]!;
      if (!expanded.has(e.path)) continue;
      push(list, from, k + 1, depth);
      from = k + 1;
      const before = length;
      walk(e.path, depth + 1);
      // An open dir that does not match the filter stays only while it shows a match (or is still loading).
      if (!matchesFilter(e, o) && length === before && dirs.get(e.path)?.status === 'loaded') {
        const last = runs[runs.length - 1]!;
        last.to--;
        length--;
        if (last.to === last.from) runs.pop();
      }
    }
    push(list, from, list.length, depth);
  };
  walk('/', 0);
  return new RowList(runs, length, expanded);
}
