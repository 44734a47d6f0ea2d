/**
 * One dir being read names first: placeholders for all its names at once (lib/placeholder.ts),
 * then the details, piece by piece in name order, each replacing the placeholders of the
 * names it covers. Pure.
 */
import { placeholderEntry } from '../lib/placeholder.js';
import type { DirNames, MergedEntry } from '../service/types.js';

export class NamesFirst {
  private readonly names: readonly string[];
  private readonly placeholders: MergedEntry[];
  private readonly detailed: MergedEntry[] = [];
  /** Names [0, covered) have their details in, or were left out of the pieces (a ghost hiding nothing). */
  private covered = 0;

  constructor(dirPath: string, { names, dirs }: DirNames) {
    this.names = names;
    this.placeholders = names.map((name, u) => placeholderEntry(dirPath, name, dirs[u] === 1));
  }

  /** A piece of details, in name order as readdirChunks hands them over. */
  add(piece: readonly MergedEntry[]): void {
    for (const e of piece) {
      while (this.covered < this.names.length && this.names[this.covered] !== e.name) this.covered++;
      this.covered++;
      this.detailed.push(e);
    }
  }

  /** The dir as known now, in name order: the entries read, then a placeholder for each name still to come. */
  entries(): MergedEntry[] {
    return this.detailed.concat(this.placeholders.slice(Math.min(this.covered, this.placeholders.length)));
  }
}
