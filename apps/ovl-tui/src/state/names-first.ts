/**
 * One dir being read names first: placeholders for all its names at once (lib/placeholder.ts),
 * then the details, piece by piece in name order, each put in the place of its placeholder.
 * The list is kept in the tree's order for sorting by name (dirs first, each part by name),
 * so a piece costs at most a copy of the list plus its own entries — no sort of 100,000
 * entries per piece while keys wait. Each list handed out stays as it was.
 */
import { isPlaceholder, placeholderEntry } from '../lib/placeholder.js';
import type { DirNames, MergedEntry } from '../service/types.js';

export class NamesFirst {
  private readonly names: readonly string[];
  /** Where names[u] sits in the list. */
  private readonly position: Int32Array;
  private list: MergedEntry[];
  /** The list was handed out (entries()): the next piece goes into a copy. */
  private handedOut = false;
  /** Names [0, covered) have had their piece (a name it left out, a ghost hiding nothing, stays a placeholder). */
  private covered = 0;
  /** Entries put in the place of a placeholder. */
  private placed = 0;
  /** Entries of no name read first (not expected: core's names and pieces come from one read). */
  private readonly strays: MergedEntry[] = [];

  constructor(dirPath: string, { names, dirs }: DirNames) {
    this.names = names;
    let dirCount = 0;
    for (let u = 0; u < names.length; u++) dirCount += dirs[u]!;
    this.position = new Int32Array(names.length);
    this.list = new Array<MergedEntry>(names.length);
    for (let u = 0, d = 0, f = dirCount; u < names.length; u++) {
      const at = dirs[u] === 1 ? d++ : f++;
      this.position[u] = at;
      this.list[at] = placeholderEntry(dirPath, names[u]!, dirs[u] === 1);
    }
  }

  /** A piece of details, in name order as readdirChunks hands them over. */
  add(piece: readonly MergedEntry[]): void {
    // Copied only when the last list went out: pieces that arrive together cost one copy.
    if (this.handedOut) {
      this.list = this.list.slice();
      this.handedOut = false;
    }
    for (const e of piece) {
      while (this.covered < this.names.length && this.names[this.covered] !== e.name) this.covered++;
      if (this.covered === this.names.length) {
        this.strays.push(e); // not a name of the dir: finish() adds it
        continue;
      }
      this.list[this.position[this.covered++]!] = e;
      this.placed++;
    }
  }

  /**
   * The whole dir once the last piece is in: the list without the placeholders no piece
   * replaced. `byName` when it is still in the order sorting by name gives (dirs first, each
   * part by name), so the 100,000 entries need no sort; false when an entry turned out not to
   * be what its name said (a dir made a file meanwhile) or came without a name.
   */
  finish(): { entries: MergedEntry[]; byName: boolean } {
    let entries = this.placed === this.list.length ? this.list : this.list.filter((e) => !isPlaceholder(e));
    if (this.strays.length > 0) entries = entries.concat(this.strays);
    this.handedOut = true;
    return { entries, byName: this.strays.length === 0 && dirsFirst(entries) };
  }

  /** The dir as known now: dirs first, then the rest, each by name; placeholders where no detail came yet. */
  entries(): MergedEntry[] {
    this.handedOut = true;
    return this.list;
  }
}

/** Whether no dir comes after a non-dir (each part is in name order: it holds the names' order). */
function dirsFirst(list: readonly MergedEntry[]): boolean {
  let k = 0;
  while (k < list.length && list[k]!.type === 'dir') k++;
  for (; k < list.length; k++) if (list[k]!.type === 'dir') return false;
  return true;
}
