/**
 * File types from st_mode. The S_IF* values are the addon's (<sys/stat.h> as compiled),
 * never typed as numbers here; read once, on first use. No I/O.
 */
import { platformConstants } from '../binding.js';
import type { EntryType } from '../view/types.js';

interface TypeBits {
  fmt: number;
  dir: number;
  reg: number;
  chr: number;
  byFormat: Map<number, EntryType>;
}

let bits: TypeBits | undefined;

function typeBits(): TypeBits {
  if (bits === undefined) {
    const c = platformConstants();
    bits = {
      fmt: c.S_IFMT,
      dir: c.S_IFDIR,
      reg: c.S_IFREG,
      chr: c.S_IFCHR,
      byFormat: new Map<number, EntryType>([
        [c.S_IFREG, 'file'], [c.S_IFDIR, 'dir'], [c.S_IFLNK, 'symlink'], [c.S_IFIFO, 'fifo'],
        [c.S_IFSOCK, 'socket'], [c.S_IFCHR, 'chardev'], [c.S_IFBLK, 'blockdev'],
      ]),
    };
  }
  return bits;
}

/** The entry type of a mode ('file' for a format no one uses). */
export function typeOfMode(mode: number): EntryType {
  const b = typeBits();
  return b.byFormat.get(mode & b.fmt) ?? 'file';
}

/** The S_IFMT bits of a directory. */
export function dirFileType(): number {
  return typeBits().dir;
}

export function isDirMode(mode: number): boolean {
  const b = typeBits();
  return (mode & b.fmt) === b.dir;
}

export function isRegularMode(mode: number): boolean {
  const b = typeBits();
  return (mode & b.fmt) === b.reg;
}

export function isCharDevMode(mode: number): boolean {
  const b = typeBits();
  return (mode & b.fmt) === b.chr;
}

/** Whether two modes have the same file type. */
export function sameType(a: number, b: number): boolean {
  const fmt = typeBits().fmt;
  return (a & fmt) === (b & fmt);
}

/** The S_IFCHR bits, for making a whiteout with mknod. */
export function charDevBits(): number {
  return typeBits().chr;
}
