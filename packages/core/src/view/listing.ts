/**
 * One layer directory as read by the addon's scanDir (struct-of-arrays, one native call per
 * dir), with a name index. Entries stay packed; objects are built only for what is shown.
 */
import type { DirScan } from '../binding.js';
import { isDirMode, isRegularMode } from '../format/file-types.js';
import { scanFlags } from '../format/scan-flags.js';

export type { DirScan };

export class DirListing {
  readonly scan: DirScan;
  /** Absolute path of the dir in its layer. */
  readonly dirPath: string;
  private index: Map<string, number> | undefined;

  constructor(scan: DirScan, dirPath: string) {
    this.scan = scan;
    this.dirPath = dirPath;
  }

  /** Position of `name`, or -1. The index is built on first use. */
  find(name: string): number {
    if (this.index === undefined) {
      this.index = new Map();
      const names = this.scan.names;
      for (let i = 0; i < names.length; i++) this.index.set(names[i]!, i);
    }
    return this.index.get(name) ?? -1;
  }

  get count(): number {
    return this.scan.count;
  }
  name(i: number): string {
    return this.scan.names[i]!;
  }
  mode(i: number): number {
    return this.scan.mode[i]!;
  }
  isDir(i: number): boolean {
    return isDirMode(this.scan.mode[i]!);
  }
  isRegular(i: number): boolean {
    return isRegularMode(this.scan.mode[i]!);
  }
  /** Flags of entry i's full record (a light listing may hold it apart: see scanOf). */
  private recordFlags(i: number): number {
    return this.scanOf(i).flags[this.rowOf(i)]!;
  }
  /** A whiteout in either form: char device 0/0, or an empty file with overlay.whiteout. */
  isWhiteout(i: number): boolean {
    const f = scanFlags();
    return (this.recordFlags(i) & (f.WHITEOUT_CHARDEV | f.XATTR_WHITEOUT)) !== 0;
  }
  /** A char-device whiteout: known from the type alone, even in a light read. */
  isCharWhiteout(i: number): boolean {
    return (this.scan.flags[i]! & scanFlags().WHITEOUT_CHARDEV) !== 0;
  }
  isOpaque(i: number): boolean {
    return (this.scan.flags[i]! & scanFlags().OPAQUE) !== 0;
  }
  isMetacopy(i: number): boolean {
    return (this.recordFlags(i) & scanFlags().METACOPY) !== 0;
  }
  redirect(i: number): string | undefined {
    const scan = this.scanOf(i);
    const j = this.rowOf(i);
    return (scan.flags[j]! & scanFlags().REDIRECT) !== 0 ? scan.redirect[j] : undefined;
  }
  /**
   * Where entry i's full record (lstat fields) is: `scanOf(i)` at row `rowOf(i)` — here, for a
   * listing read in full. Two calls rather than one object, so reading 100,000 entries builds
   * no record objects.
   */
  scanOf(_i: number): DirScan {
    return this.scan;
  }
  rowOf(i: number): number {
    return i;
  }
  /** Whether the names are in strictly ascending JS string order (see mergeNames). */
  isSorted(): boolean {
    const names = this.scan.names;
    for (let i = 1; i < names.length; i++) if (!(names[i - 1]! < names[i]!)) return false;
    return true;
  }
  /** Whether entry i still lacks what deciding its visibility needs (never, for a full read). */
  needsDetail(_i: number): boolean {
    return false;
  }
}

/**
 * A layer dir read at getdents cost (scanDir { stat: false }): dirs and char devices come
 * complete (and, in a cascade read, each name's deciding entry: SCAN_FULL marks them), other
 * entries only with their type. The entries that turn out to matter — the
 * visible one of each name, a metacopy file's data — are examined afterwards (scanNames) and
 * attached here, so a walk stats the entries it shows, not every entry of every layer.
 * Entries below a visible one are judged by type alone (see MergedEntry.shadows).
 */
export class LightListing extends DirListing {
  /** Attached full records: entry i is row detailRow[i] of details[detailScan[i] - 1] (0: none). */
  private readonly details: DirScan[] = [];
  private detailScan: Uint16Array | undefined;
  private detailRow: Int32Array | undefined;

  private hasDetail(i: number): boolean {
    return this.detailScan !== undefined && this.detailScan[i] !== 0;
  }

  /** Not examined in full by the read (dirs, char devices, what a cascade read picked are) nor since. */
  override needsDetail(i: number): boolean {
    return (this.scan.flags[i]! & scanFlags().FULL) === 0 && !this.hasDetail(i);
  }

  /**
   * Attach full records: a scanNames result for the names of entries `indices` (asked in that
   * order), mapped back through its `request` column.
   */
  attach(scan: DirScan, indices: readonly number[]): void {
    if (scan.count === 0) return;
    if (this.details.length === 0xffff) throw new Error('ovl: too many detail reads of one listing');
    this.details.push(scan);
    this.detailScan ??= new Uint16Array(this.count);
    this.detailRow ??= new Int32Array(this.count);
    const request = scan.request!;
    const tag = this.details.length;
    for (let j = 0; j < scan.count; j++) {
      const i = indices[request[j]!]!;
      this.detailScan[i] = tag;
      this.detailRow[i] = j;
    }
  }

  override scanOf(i: number): DirScan {
    return this.hasDetail(i) ? this.details[this.detailScan![i]! - 1]! : this.scan;
  }
  override rowOf(i: number): number {
    return this.hasDetail(i) ? this.detailRow![i]! : i;
  }
}
