/**
 * One layer directory as read by the addon's scanDir (struct-of-arrays, one native call per
 * dir), with a name index. Entries stay packed; objects are built only for what is shown.
 */
import type { DirScan } from '@ovl/native';
import type { EntryType } from './types.js';

export type { DirScan };

/** scanDir flag bits (native/src/sys/dir_scan.h); mirrored here because they are part of the data format. */
export const SCAN_WHITEOUT_CHARDEV = 1;
export const SCAN_XATTR_WHITEOUT = 2;
export const SCAN_OPAQUE = 4;
export const SCAN_OPAQUE_X = 8;
export const SCAN_REDIRECT = 16;
export const SCAN_METACOPY = 32;

const S_IFMT = 0o170000;
const TYPE_BY_FORMAT = new Map<number, EntryType>([
  [0o100000, 'file'],
  [0o040000, 'dir'],
  [0o120000, 'symlink'],
  [0o010000, 'fifo'],
  [0o140000, 'socket'],
  [0o020000, 'chardev'],
  [0o060000, 'blockdev'],
]);

export function typeOfMode(mode: number): EntryType {
  return TYPE_BY_FORMAT.get(mode & S_IFMT) ?? 'file';
}

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
    return (this.scan.mode[i]! & S_IFMT) === 0o040000;
  }
  isRegular(i: number): boolean {
    return (this.scan.mode[i]! & S_IFMT) === 0o100000;
  }
  /** A whiteout in either form: char device 0/0, or an empty file with overlay.whiteout. */
  isWhiteout(i: number): boolean {
    return (this.scan.flags[i]! & (SCAN_WHITEOUT_CHARDEV | SCAN_XATTR_WHITEOUT)) !== 0;
  }
  isOpaque(i: number): boolean {
    return (this.scan.flags[i]! & SCAN_OPAQUE) !== 0;
  }
  isMetacopy(i: number): boolean {
    return (this.scan.flags[i]! & SCAN_METACOPY) !== 0;
  }
  redirect(i: number): string | undefined {
    return (this.scan.flags[i]! & SCAN_REDIRECT) !== 0 ? this.scan.redirect[i] : undefined;
  }
}
