/**
 * Tar archives, read as a stream: ustar, pax (local and global extended headers, with
 * binary-safe SCHILY.xattr values) and GNU long names, one entry at a time with its content
 * handed out in chunks, never buffered whole. Anything it cannot be sure of is an error with
 * a code, never a guess: a bad checksum, a number that is not one, an archive that ends
 * before its end-of-archive blocks, a size larger than the data.
 *
 * By hand rather than tar-stream for the reason the writer gives (header.ts): pax values are
 * bytes here; tar-stream decodes them as UTF-8 strings.
 */
import { OvlError } from '../../errors.js';
import { BLOCK } from './header.js';
import type { TarFields, TarType } from './header.js';

/** An entry read; `name` as the archive spells it (not yet checked or normalised). */
export interface TarEntry extends TarFields {
  mtimeSec: number;
  mtimeNsec: number;
  linkname: Buffer;
  devmajor: number;
  devminor: number;
  /** SCHILY.xattr.* / LIBARCHIVE.xattr.* records, values as bytes. */
  xattrs: Array<[string, Buffer]>;
  /** Where the entry's header starts in the (uncompressed) archive, for error messages. */
  offset: number;
}

/** Limits that keep a hostile archive from making us hold it in memory. */
const MAX_META = 1 << 20;

function corrupt(what: string, offset: number): OvlError {
  return new OvlError('ERR_OVL_TAR_CORRUPT', `ovl: the archive is corrupt at byte ${offset}: ${what}`, { hint: 'The file is not a tar archive, or it was damaged; nothing was written.' });
}

function truncated(offset: number): OvlError {
  return new OvlError('ERR_OVL_TAR_TRUNCATED', `ovl: the archive ends early, at byte ${offset} (an entry's data or the end-of-archive blocks are missing)`, {
    hint: 'The file was cut short (an interrupted download or copy); nothing was written.',
  });
}

/** Pulls exact byte counts out of a chunked stream. */
class ByteSource {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  /** Bytes consumed so far. */
  offset = 0;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        this.chunks.push(r.value);
        this.buffered += r.value.length;
      }
    }
    return this.buffered >= n;
  }

  /** Exactly n bytes, or undefined at a clean end of the stream (nothing left at all). */
  async exactly(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) {
      if (this.buffered === 0) return undefined;
      throw truncated(this.offset + this.buffered);
    }
    return this.take(n);
  }

  /** Between 1 and n bytes (whatever is at hand), for content; throws when the stream ends first. */
  async upTo(n: number): Promise<Buffer> {
    if (!(await this.fill(1))) throw truncated(this.offset);
    return this.take(Math.min(n, this.buffered));
  }

  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks, this.buffered);
      out = all.subarray(0, n);
      const rest = all.subarray(n);
      this.chunks = rest.length ? [rest] : [];
    }
    this.buffered -= n;
    this.offset += n;
    return out;
  }
}

function cstr(b: Buffer): Buffer {
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

/** A numeric header field: octal (space/NUL padded) or GNU base-256 (high bit set). */
function num(b: Buffer, what: string, offset: number): number {
  if (b[0]! & 0x80) {
    let n = 0;
    for (let i = 0; i < b.length; i++) n = n * 256 + (i === 0 ? b[0]! & 0x7f : b[i]!);
    if (!Number.isSafeInteger(n)) throw corrupt(`${what} is too large`, offset);
    return n;
  }
  const s = b.toString('latin1').replace(/\0.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw corrupt(`${what} is not an octal number ('${s}')`, offset);
  return parseInt(s, 8);
}

function checksumOk(block: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  const s = block.subarray(148, 156).toString('latin1').replace(/[\0 ].*$/s, '').trim();
  if (!/^[0-7]+$/.test(s)) return false;
  const want = parseInt(s, 8);
  return want === unsigned || want === signed;
}

const TYPES: Record<string, TarType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'chardev', '4': 'blockdev', '5': 'dir', '6': 'fifo' };

/** Parse pax records into `into` (keys as strings, values as bytes). */
function parsePax(data: Buffer, into: Map<string, Buffer>, offset: number): void {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) throw corrupt('a pax record has no length', offset);
    const len = Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isSafeInteger(len) || len <= space - at + 1 || at + len > data.length || data[at + len - 1] !== 0x0a) throw corrupt('a pax record has a bad length', offset);
    const record = data.subarray(space + 1, at + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw corrupt('a pax record has no key', offset);
    into.set(record.subarray(0, eq).toString('utf8'), Buffer.from(record.subarray(eq + 1)));
    at += len;
  }
}

function paxNumber(v: Buffer, key: string, offset: number): number {
  const s = v.toString('latin1');
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw corrupt(`pax ${key} is not a number ('${s.slice(0, 40)}')`, offset);
  return Number(s);
}

/** The entries of a tar stream, in order. Each entry's content must be read (readContent) or skipped (skipContent) before the next. */
export class TarReader {
  private readonly src: ByteSource;
  private readonly global = new Map<string, Buffer>();
  private pending = 0;
  private padAfter = 0;

  constructor(stream: AsyncIterable<Buffer>) {
    this.src = new ByteSource(stream[Symbol.asyncIterator]());
  }

  /** Bytes of the (uncompressed) archive consumed so far. */
  get offset(): number {
    return this.src.offset;
  }

  /** The next entry, or undefined at the end-of-archive blocks. */
  async next(): Promise<TarEntry | undefined> {
    await this.skipContent();
    const local = new Map<string, Buffer>();
    let longName: Buffer | undefined;
    let longLink: Buffer | undefined;
    for (;;) {
      const at = this.src.offset;
      const block = await this.src.exactly(BLOCK);
      if (block === undefined) throw truncated(at);
      if (block.every((c) => c === 0)) return undefined; // the end (a second zero block, if any, is not read)
      if (!checksumOk(block)) throw corrupt('a header checksum does not match', at);
      const flag = String.fromCharCode(block[156]!);
      const size = num(block.subarray(124, 136), 'size', at);
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        if (size > MAX_META) throw corrupt(`an extended header of ${size} bytes`, at);
        const data = (await this.src.exactly(size + ((BLOCK - (size % BLOCK)) % BLOCK)))?.subarray(0, size);
        if (data === undefined) throw truncated(this.src.offset);
        if (flag === 'x') parsePax(data, local, at);
        else if (flag === 'g') parsePax(data, this.global, at);
        else if (flag === 'L') longName = cstr(data);
        else longLink = cstr(data);
        continue;
      }
      const type = TYPES[flag];
      if (type === undefined) {
        throw new OvlError('ERR_OVL_TAR_UNSUPPORTED', `ovl: the archive holds an entry of tar type '${flag.replace(/[^\x20-\x7e]/g, '?')}' at byte ${at}, which ovl does not read`, {
          hint: 'Sparse and multi-volume entries are not supported; write the archive without them (GNU tar without --sparse).',
        });
      }
      const pax = new Map([...this.global, ...local]);
      for (const key of pax.keys()) {
        if (key.startsWith('GNU.sparse')) throw new OvlError('ERR_OVL_TAR_UNSUPPORTED', `ovl: the archive holds a sparse file at byte ${at}, which ovl does not read`, { hint: 'Write the archive without --sparse.' });
      }
      const magic = block.subarray(257, 263).toString('latin1');
      const prefix = magic === 'ustar\0' ? cstr(block.subarray(345, 500)) : Buffer.alloc(0);
      const base = cstr(block.subarray(0, 100));
      const name = pax.get('path') ?? longName ?? (prefix.length ? Buffer.concat([prefix, Buffer.from('/'), base]) : base);
      const linkname = pax.get('linkpath') ?? longLink ?? cstr(block.subarray(157, 257));
      if (name.includes(0)) throw corrupt('a name holds a NUL byte', at);
      const mtime = pax.get('mtime')?.toString('latin1');
      const [sec, frac = ''] = mtime !== undefined ? mtime.split('.') : [String(num(block.subarray(136, 148), 'mtime', at))];
      if (!/^-?\d+$/.test(sec!) || !/^\d*$/.test(frac)) throw corrupt(`mtime '${mtime}' is not a time`, at);
      const entry: TarEntry = {
        name,
        type,
        mode: num(block.subarray(100, 108), 'mode', at) & 0o7777,
        uid: pax.has('uid') ? paxNumber(pax.get('uid')!, 'uid', at) : num(block.subarray(108, 116), 'uid', at),
        gid: pax.has('gid') ? paxNumber(pax.get('gid')!, 'gid', at) : num(block.subarray(116, 124), 'gid', at),
        size: type === 'file' ? (pax.has('size') ? paxNumber(pax.get('size')!, 'size', at) : size) : 0,
        mtimeSec: Number(sec),
        mtimeNsec: Number(frac.padEnd(9, '0').slice(0, 9)),
        linkname,
        devmajor: num(block.subarray(329, 337), 'devmajor', at),
        devminor: num(block.subarray(337, 345), 'devminor', at),
        xattrs: [],
        offset: at,
      };
      if (entry.uid < 0 || entry.gid < 0 || entry.size < 0) throw corrupt('a negative id or size', at);
      for (const [key, value] of pax) {
        if (key.startsWith('SCHILY.xattr.')) entry.xattrs.push([key.slice('SCHILY.xattr.'.length), value]);
        else if (key.startsWith('LIBARCHIVE.xattr.')) entry.xattrs.push([decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length)), Buffer.from(value.toString('latin1'), 'base64')]);
      }
      // A hard link's or a dir's size field may be non-zero in some writers: its data, if any, is skipped.
      this.pending = type === 'file' ? entry.size : size;
      this.padAfter = (BLOCK - (this.pending % BLOCK)) % BLOCK;
      return entry;
    }
  }

  /** The current entry's content, chunk by chunk (each at most `chunk` bytes). */
  async *readContent(chunk = 1 << 20): AsyncGenerator<Buffer> {
    while (this.pending > 0) {
      const b = await this.src.upTo(Math.min(chunk, this.pending));
      this.pending -= b.length;
      yield b;
    }
    await this.skipPadding();
  }

  /** Skip what is left of the current entry's content. */
  async skipContent(): Promise<void> {
    while (this.pending > 0) this.pending -= (await this.src.upTo(Math.min(1 << 20, this.pending))).length;
    await this.skipPadding();
  }

  private async skipPadding(): Promise<void> {
    if (this.padAfter === 0) return;
    const n = this.padAfter;
    this.padAfter = 0;
    if ((await this.src.exactly(n)) === undefined) throw truncated(this.src.offset);
  }
}
