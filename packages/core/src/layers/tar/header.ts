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

/** An entry to write. `name`: relative, without a leading './' or '/'; a dir's trailing '/' is added here when missing. */
export interface TarHeader extends TarFields {
  /** Milliseconds since the epoch, written as whole seconds (floored; no pax mtime). */
  mtimeMs: number;
  /** Target of a symlink or hard link. */
  linkname?: Buffer;
  devmajor?: number;
  devminor?: number;
  /** xattrs to carry as SCHILY.xattr.<name> records (values as bytes). */
  xattrs?: ReadonlyArray<readonly [string, Buffer]>;
}

/** 8 ** (width - 1): the first number a field of `width` bytes cannot hold (width-1 octal digits, then a NUL). */
const LIMIT_7 = 8 ** 6;
const LIMIT_8 = 8 ** 7;
const LIMIT_12 = 8 ** 11;

/** Whether `n` fits a field whose `limit` is that above. */
function fitsOctal(n: number, limit: number): boolean {
  // A comparison, not n.toString(8): seven fields per header, tens of thousands of headers.
  return Number.isSafeInteger(n) && n >= 0 && n < limit;
}

/**
 * Write `n` in octal into the field of `width` bytes (8 or 12 here; 7 for the checksum) at
 * `at` of `b` (zero when it does not fit: pax carries it then). Returns the sum of the field's
 * bytes, for the checksum.
 */
function putOctal(b: Uint8Array, at: number, width: number, n: number): number {
  let v = fitsOctal(n, width === 12 ? LIMIT_12 : width === 8 ? LIMIT_8 : LIMIT_7) ? n : 0;
  let sum = 0;
  // Digit by digit, last first: a write() per field costs more than the whole header here.
  // Small integers (all but sizes past 2 GiB) take the bit operations.
  for (let i = at + width - 2; i >= at; i--) {
    const c = v <= 0x7fffffff ? 0x30 | (v & 7) : 0x30 + (v % 8);
    b[i] = c;
    sum += c;
    v = v <= 0x7fffffff ? v >>> 3 : Math.floor(v / 8);
  }
  b[at + width - 1] = 0;
  return sum;
}

/** The numeric fields of a ustar block after the name: mode, uid, gid, size, mtime, then (after the magic) devmajor, devminor. */
const NUMERIC_AT = [100, 108, 116, 124, 136, 329, 337];
const NUMERIC_WIDTH = [8, 8, 8, 12, 12, 8, 8];
/** Their values for the block being written: one loop writes them all (one copy of putOctal to compile, not seven). */
const numeric = new Float64Array(NUMERIC_AT.length);

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

/**
 * Where ustar splits the name `name.slice(from)` (read as bytes: callers pass printable ASCII):
 * 0 when it fits the name field (100 bytes) whole; else the length of the prefix (at most 155)
 * when it splits at the last '/' that leaves at most 100 bytes after it; -1 when none does.
 */
function prefixLength(name: string, from: number): number {
  if (name.length - from <= 100) return 0;
  for (let i = name.length - 1; i > from; i--) {
    if (name.charCodeAt(i) !== 0x2f) continue;
    if (name.length - i - 1 > 100) return -1;
    if (i - from <= 155) return i - from;
  }
  return -1;
}

/** Copy the chars [from, to) of `s` to `at` of `b`: the sum of their bytes, or -1 when one is not printable ASCII. */
function putAscii(b: Uint8Array, at: number, s: string, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return -1;
    b[at + i - from] = c;
    sum += c;
  }
  return sum;
}

/** 'ustar\0' and version '00', at 257. */
const USTAR_MAGIC = Buffer.from('ustar\x0000', 'latin1');
let MAGIC_SUM = 0;
for (const c of USTAR_MAGIC) MAGIC_SUM += c;
/** The checksum field counts as eight spaces in its own sum. */
const BLANK_CHECKSUM_SUM = 8 * 0x20;
/** No bytes (shared: read-only by convention). */
export const EMPTY = Buffer.alloc(0);

/**
 * The ustar block of one entry, at `at` of `b` (every one of its 512 bytes set). Its name is
 * `name.slice(from)`, the first `prefix` bytes of it (0: none) in the prefix field, the rest
 * after the '/' there in the name field. Numbers that do not fit their field are written as 0
 * (a pax record carries them).
 * @returns false (the block then unusable) when the name or `link` holds anything but
 * printable ASCII, or `link` is over 100 bytes.
 */
function putUstar(
  b: Uint8Array,
  at: number,
  name: string,
  from: number,
  prefix: number,
  typeflag: number,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtime: number,
  link: Uint8Array,
  devmajor: number,
  devminor: number,
): boolean {
  b.fill(0, at, at + BLOCK);
  const named = putAscii(b, at, name, prefix === 0 ? from : from + prefix + 1, name.length);
  const prefixed = prefix === 0 ? 0 : putAscii(b, at + 345, name, from, from + prefix);
  if (named < 0 || prefixed < 0 || link.length > 100) return false;
  let sum = named + prefixed + typeflag + MAGIC_SUM + BLANK_CHECKSUM_SUM;
  for (let i = 0; i < link.length; i++) {
    const c = link[i]!;
    if (c < 0x20 || c > 0x7e) return false;
    b[at + 157 + i] = c;
    sum += c;
  }
  numeric[0] = mode & 0o7777;
  numeric[1] = uid;
  numeric[2] = gid;
  numeric[3] = size;
  numeric[4] = mtime;
  numeric[5] = devmajor;
  numeric[6] = devminor;
  for (let f = 0; f < NUMERIC_AT.length; f++) sum += putOctal(b, at + NUMERIC_AT[f]!, NUMERIC_WIDTH[f]!, numeric[f]!);
  b[at + 156] = typeflag;
  b.set(USTAR_MAGIC, at + 257);
  putOctal(b, at + 148, 7, sum); // six digits and a NUL, then a space
  b[at + 155] = 0x20;
  return true;
}

/**
 * The header of an entry without xattrs, as encodeHeader encodes it, written at `at` of `b`
 * (BLOCK bytes) with no Buffer of its own: most entries of a layer. `name.slice(from)` is its
 * name, a dir's with its trailing '/'.
 * @returns false (the block then unusable) when the entry needs a pax header: encodeHeader it.
 */
export function putPlainHeader(
  b: Uint8Array,
  at: number,
  name: string,
  from: number,
  type: TarType,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtimeMs: number,
  link: Uint8Array,
  devmajor: number,
  devminor: number,
): boolean {
  const mtime = Math.floor(mtimeMs / 1000);
  if (!fitsOctal(uid, LIMIT_8) || !fitsOctal(gid, LIMIT_8) || !fitsOctal(size, LIMIT_12) || !fitsOctal(mtime, LIMIT_12)) return false;
  const prefix = prefixLength(name, from);
  return prefix >= 0 && putUstar(b, at, name, from, prefix, TYPEFLAG[type], mode, uid, gid, size, mtime, link, devmajor, devminor);
}

/** How many zero bytes bring `size` up to a whole block. */
export function paddingLength(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** Zero bytes that bring `size` up to a whole block. */
export function padding(size: number): Buffer {
  return ZEROS.subarray(0, paddingLength(size));
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
  // Printable ASCII: its latin1 string is its bytes.
  const ascii = isPortable(name) ? name.toString('latin1') : undefined;
  const prefix = ascii === undefined ? -1 : prefixLength(ascii, 0);
  if (prefix < 0) pax.push(paxRecord('path', name));
  const linkFits = linkname.length <= 100 && isPortable(linkname);
  if (!linkFits) pax.push(paxRecord('linkpath', linkname));
  if (!fitsOctal(h.uid, LIMIT_8)) pax.push(paxRecord('uid', Buffer.from(String(h.uid))));
  if (!fitsOctal(h.gid, LIMIT_8)) pax.push(paxRecord('gid', Buffer.from(String(h.gid))));
  if (!fitsOctal(h.size, LIMIT_12)) pax.push(paxRecord('size', Buffer.from(String(h.size))));
  if (!fitsOctal(mtime, LIMIT_12)) pax.push(paxRecord('mtime', Buffer.from(String(mtime))));
  const xattrs = h.xattrs === undefined || h.xattrs.length === 0 ? [] : [...h.xattrs];
  for (const [key, value] of xattrs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    pax.push(paxRecord(`SCHILY.xattr.${key}`, value));
  }
  const records = Buffer.concat(pax);
  const paxBytes = pax.length === 0 ? 0 : BLOCK + records.length + paddingLength(records.length);
  const out = Buffer.allocUnsafe(paxBytes + BLOCK);
  if (pax.length > 0) {
    // GNU tar names its pax headers '<dir>/PaxHeaders/<base>'; any name works, a fixed one keeps the bytes stable.
    putUstar(out, 0, 'PaxHeaders/entry', 0, 0, 0x78 /* 'x': extended header for the next entry */, 0o644, 0, 0, records.length, 0, EMPTY, 0, 0);
    records.copy(out, BLOCK);
    out.fill(0, BLOCK + records.length, paxBytes);
  }
  const ustarName = prefix >= 0 ? ascii! : truncatedAscii(name, 100).toString('latin1');
  const ustarLink = linkFits ? linkname : truncatedAscii(linkname, 100);
  putUstar(out, paxBytes, ustarName, 0, Math.max(prefix, 0), TYPEFLAG[h.type], h.mode, h.uid, h.gid, h.size, Math.max(mtime, 0), ustarLink, h.devmajor ?? 0, h.devminor ?? 0);
  return out;
}

/** A stand-in for a field the pax record overrides: printable and within the field's width. */
function truncatedAscii(b: Buffer, width: number): Buffer {
  const out = Buffer.from(b.subarray(0, width));
  for (let i = 0; i < out.length; i++) if (out[i]! < 0x20 || out[i]! > 0x7e) out[i] = 0x5f;
  return out;
}
