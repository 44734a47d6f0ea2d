/**
 * Tar headers, written: POSIX ustar blocks plus pax extended headers for what ustar cannot
 * hold (long or non-ASCII names, big numbers, xattrs). Pure: bytes in, bytes out.
 *
 * Written by hand rather than with tar-stream (3.x): its pax records are JS strings, so a
 * binary xattr value (security.capability, or any non-UTF-8 value) or a non-UTF-8 name
 * would be re-encoded, and its octal fields stop at 6 digits for uid/gid (262143), below
 * the ids user-namespaced containers write. Here every record is bytes and every number
 * that does not fit goes to pax, as GNU tar and the OCI image spec expect.
 *
 * Deterministic by construction: no uname/gname, no atime/ctime, the same input gives the
 * same bytes.
 */

export const BLOCK = 512;

export type TarType = 'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'dir' | 'fifo';

const TYPEFLAG: Record<TarType, number> = { file: 0x30, hardlink: 0x31, symlink: 0x32, chardev: 0x33, blockdev: 0x34, dir: 0x35, fifo: 0x36 };

/** What every tar entry says, written or read. */
export interface TarFields {
  /** Path inside the archive (bytes). */
  name: Buffer;
  type: TarType;
  /** Permission bits and setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content that follow (files only; 0 for every other type). */
  size: number;
}

/** An entry to write. `name`: relative, without a leading './' or '/'; dirs without the trailing '/' (added here). */
export interface TarHeader extends TarFields {
  /** Seconds since the epoch (whole; the fraction, if any, goes to pax as mtime). */
  mtimeMs: number;
  /** Target of a symlink or hard link. */
  linkname?: Buffer;
  devmajor?: number;
  devminor?: number;
  /** xattrs to carry as SCHILY.xattr.<name> records (values as bytes). */
  xattrs?: ReadonlyArray<readonly [string, Buffer]>;
}

/** 8 ** (width - 1) for each field width used (8 and 12; 7 for the checksum). */
const OCTAL_LIMIT: Record<number, number> = { 7: 8 ** 6, 8: 8 ** 7, 12: 8 ** 11 };

/** Whether `n` fits a field of `width` bytes in octal (width-1 digits; a NUL ends the field). */
function fitsOctal(n: number, width: number): boolean {
  // A comparison, not n.toString(8): seven fields per header, tens of thousands of headers.
  return Number.isSafeInteger(n) && n >= 0 && n < OCTAL_LIMIT[width]!;
}

/** Write `n` in octal into the field at `at` of `b` (zero when it does not fit: pax carries it then). */
function putOctal(b: Buffer, at: number, width: number, n: number): void {
  let v = fitsOctal(n, width) ? n : 0;
  // Digit by digit, last first: a write() per field costs more than the whole header here.
  // Small integers (all but sizes past 2 GiB) take the bit operations.
  if (v <= 0x7fffffff) {
    for (let i = at + width - 2; i >= at; i--) {
      b[i] = 0x30 | (v & 7);
      v >>>= 3;
    }
  } else {
    for (let i = at + width - 2; i >= at; i--) {
      b[i] = 0x30 + (v % 8);
      v = Math.floor(v / 8);
    }
  }
  b[at + width - 1] = 0;
}

/** One pax record: "<len> <key>=<value>\n", where len counts its own digits. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

function isPortable(b: Buffer): boolean {
  for (const c of b) if (c < 0x20 || c > 0x7e) return false;
  return true;
}

/** Split a name into ustar's prefix (≤155) and name (≤100) at a '/', or undefined when it cannot be. */
function splitUstar(name: Buffer): { prefix: Buffer; name: Buffer } | undefined {
  if (!isPortable(name)) return undefined;
  if (name.length <= 100) return { prefix: EMPTY, name };
  for (let i = name.length - 1; i >= 0; i--) {
    if (name[i] !== 0x2f) continue;
    if (name.length - i - 1 > 100) return undefined;
    if (i <= 155 && i > 0) return { prefix: name.subarray(0, i), name: name.subarray(i + 1) };
  }
  return undefined;
}

function byteSum(b: Buffer, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += b[i]!;
  return sum;
}

/** 'ustar\0' and version '00', at 257. */
const USTAR_MAGIC = Buffer.from('ustar\x0000', 'latin1');
const MAGIC_SUM = byteSum(USTAR_MAGIC, 0, USTAR_MAGIC.length);
/** Read-only by convention. */
const EMPTY = Buffer.alloc(0);

function headerBlock(fields: {
  name: Buffer;
  prefix: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: number;
  linkname: Buffer;
  devmajor: number;
  devminor: number;
}): Buffer {
  // allocUnsafe takes 512 bytes from Node's pool (one header per entry: tens of thousands of
  // them for a big layer); every byte is then set.
  const b = Buffer.allocUnsafe(BLOCK).fill(0);
  fields.name.copy(b, 0, 0, 100);
  putOctal(b, 100, 8, fields.mode);
  putOctal(b, 108, 8, fields.uid);
  putOctal(b, 116, 8, fields.gid);
  putOctal(b, 124, 12, fields.size);
  putOctal(b, 136, 12, fields.mtime);
  b.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  b[156] = fields.typeflag;
  fields.linkname.copy(b, 157, 0, 100);
  USTAR_MAGIC.copy(b, 257);
  putOctal(b, 329, 8, fields.devmajor);
  putOctal(b, 337, 8, fields.devminor);
  fields.prefix.copy(b, 345, 0, 155);
  // The sum of every byte: the rest of the block is zeros, so only what was written counts.
  const sum = byteSum(b, 0, Math.min(fields.name.length, 100)) + byteSum(b, 100, 157) + byteSum(b, 157, 157 + Math.min(fields.linkname.length, 100)) + MAGIC_SUM + byteSum(b, 329, 345) + byteSum(b, 345, 345 + Math.min(fields.prefix.length, 155));
  putOctal(b, 148, 7, sum); // six digits and a NUL, then the space already there
  return b;
}

/** Zero bytes that bring `size` up to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return ZEROS.subarray(0, rest === 0 ? 0 : BLOCK - rest);
}

/** Shared by every padding(): read-only by convention (callers copy it into the archive). */
const ZEROS = Buffer.alloc(BLOCK);

/** The end of an archive: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/**
 * The blocks that introduce one entry: a pax header (when anything needs one) and the ustar
 * header. The entry's content (header.size bytes, then padding()) follows.
 */
export function encodeHeader(h: TarHeader): Buffer {
  const name = h.type === 'dir' && h.name[h.name.length - 1] !== 0x2f ? Buffer.concat([h.name, Buffer.from('/')]) : h.name;
  const linkname = h.linkname ?? EMPTY;
  const mtime = Math.floor(h.mtimeMs / 1000);
  const pax: Buffer[] = [];
  const split = splitUstar(name);
  if (split === undefined) pax.push(paxRecord('path', name));
  if (linkname.length > 100 || !isPortable(linkname)) pax.push(paxRecord('linkpath', linkname));
  if (!fitsOctal(h.uid, 8)) pax.push(paxRecord('uid', Buffer.from(String(h.uid))));
  if (!fitsOctal(h.gid, 8)) pax.push(paxRecord('gid', Buffer.from(String(h.gid))));
  if (!fitsOctal(h.size, 12)) pax.push(paxRecord('size', Buffer.from(String(h.size))));
  if (!fitsOctal(mtime, 12)) pax.push(paxRecord('mtime', Buffer.from(String(mtime))));
  const xattrs = h.xattrs === undefined || h.xattrs.length === 0 ? [] : [...h.xattrs];
  for (const [key, value] of xattrs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    pax.push(paxRecord(`SCHILY.xattr.${key}`, value));
  }
  const ustar = headerBlock({
    name: split?.name ?? truncatedAscii(name, 100),
    prefix: split?.prefix ?? EMPTY,
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    size: h.size,
    mtime: Math.max(mtime, 0),
    typeflag: TYPEFLAG[h.type],
    linkname: linkname.length > 100 || !isPortable(linkname) ? truncatedAscii(linkname, 100) : linkname,
    devmajor: h.devmajor ?? 0,
    devminor: h.devminor ?? 0,
  });
  if (pax.length === 0) return ustar;
  const records = Buffer.concat(pax);
  // GNU tar names its pax headers '<dir>/PaxHeaders/<base>'; any name works, a fixed one keeps the bytes stable.
  const paxHeader = headerBlock({
    name: Buffer.from('PaxHeaders/entry'),
    prefix: Buffer.alloc(0),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime: 0,
    typeflag: 0x78, // 'x': extended header for the next entry
    linkname: Buffer.alloc(0),
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxHeader, records, padding(records.length), ustar]);
}

/** A stand-in for a field the pax record overrides: printable and within the field's width. */
function truncatedAscii(b: Buffer, width: number): Buffer {
  const out = Buffer.from(b.subarray(0, width));
  for (let i = 0; i < out.length; i++) if (out[i]! < 0x20 || out[i]! > 0x7e) out[i] = 0x5f;
  return out;
}
