/**
 * A read-only reader of bbolt (go.etcd.io/bbolt) database files, over a copy of the whole
 * file taken under the db's own lock (read-locked.ts). podman 4.x keeps its container state
 * in one (libpod/bolt_state.db), containerd its metadata (io.containerd.metadata.v1.bolt/meta.db).
 * Pure: bytes in, buckets out; nothing here touches the disk.
 *
 * The format (bbolt's page.go, node.go, bucket.go), little-endian:
 * - every page starts with a 16-byte header: id u64, flags u16, count u16, overflow u32; a page
 *   spans (overflow + 1) × pageSize bytes. Flags: 0x01 branch, 0x02 leaf, 0x04 meta, 0x10 freelist.
 * - pages 0 and 1 are metas (after the header): magic u32 0xED0CDAED, version u32 2, pageSize u32,
 *   flags u32, root bucket {root u64, sequence u64}, freelist u64, pgid u64, txid u64, checksum u64
 *   (FNV-1a 64 of the 56 bytes before it). The valid meta with the larger txid is current; a
 *   writer commits by writing its meta last, so the older one still describes a whole tree.
 * - branch elements (16 bytes each, after the header): pos u32, ksize u32, pgid u64; the key
 *   lies `pos` bytes after its element.
 * - leaf elements: flags u32, pos u32, ksize u32, vsize u32; key then value at `pos`. Flag 0x01:
 *   the value is a nested bucket {root u64, sequence u64}; root 0 means the bucket's one leaf
 *   page follows inline in the value.
 * Anything that does not fit (bad magic or checksum, a page past the end, a loop) is a
 * BoltFormatError: the caller names the file.
 */

const MAGIC = 0xed0cdaed;
const VERSION = 2;
const HEADER = 16;
const ELEMENT = 16;
const META_CHECKSUMMED = 56;
const BRANCH = 0x01;
const LEAF = 0x02;
const BUCKET_LEAF = 0x01;
/** bbolt trees are a few levels deep; far more means a loop in a corrupt file. */
const MAX_DEPTH = 64;

/** The file is not a whole, valid bbolt database. */
export class BoltFormatError extends Error {
  override name = 'BoltFormatError';
}

export interface BoltEntry {
  key: Buffer;
  /** A plain value (undefined for a nested bucket). */
  value?: Buffer;
  /** A nested bucket. */
  bucket?: BoltBucket;
}

/** A bucket: its keys in byte order, values and nested buckets. */
export interface BoltBucket {
  entries(): Iterable<BoltEntry>;
  get(key: string): Buffer | undefined;
  bucket(key: string): BoltBucket | undefined;
}

export interface BoltDb {
  pageSize: number;
  txid: bigint;
  root: BoltBucket;
}

function fnv1a64(bytes: Buffer): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h;
}

interface Meta {
  pageSize: number;
  root: bigint;
  pgid: bigint;
  txid: bigint;
}

function readMeta(file: Buffer, offset: number): Meta | undefined {
  const m = offset + HEADER;
  if (m + META_CHECKSUMMED + 8 > file.length) return undefined;
  if (file.readUInt32LE(m) !== MAGIC || file.readUInt32LE(m + 4) !== VERSION) return undefined;
  if (fnv1a64(file.subarray(m, m + META_CHECKSUMMED)) !== file.readBigUInt64LE(m + META_CHECKSUMMED)) return undefined;
  return { pageSize: file.readUInt32LE(m + 8), root: file.readBigUInt64LE(m + 16), pgid: file.readBigUInt64LE(m + 40), txid: file.readBigUInt64LE(m + 48) };
}

/** Where the bytes come from: a whole file in memory, or reads (pread) of an open file. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Buffer;
  /** Told the extent of the pages in use (below the high water mark): a source may read it in one go. */
  inUse?(length: number): void;
}

function bufferSource(file: Buffer): ByteSource {
  return { size: file.length, read: (offset, length) => file.subarray(offset, offset + length) };
}

class Reader {
  /** Pages read so far: a lookup walks a bucket's pages again. */
  private readonly cache = new Map<bigint, Buffer>();

  constructor(
    private readonly file: ByteSource,
    private readonly pageSize: number,
    private readonly pgidLimit: bigint,
  ) {}

  /** The bytes of page `id`, overflow included. */
  page(id: bigint): Buffer {
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    if (id < 2n || id >= this.pgidLimit) throw new BoltFormatError(`page ${id} is outside the database (high water mark ${this.pgidLimit})`);
    const start = Number(id) * this.pageSize;
    if (start + this.pageSize > this.file.size) throw new BoltFormatError(`page ${id} lies past the end of the file (${this.file.size} bytes)`);
    const first = this.file.read(start, this.pageSize);
    const overflow = first.readUInt32LE(12);
    const length = (overflow + 1) * this.pageSize;
    if (start + length > this.file.size) throw new BoltFormatError(`page ${id} (+${overflow} overflow) lies past the end of the file`);
    if (first.readBigUInt64LE(0) !== id) throw new BoltFormatError(`page ${id} carries id ${first.readBigUInt64LE(0)}`);
    const page = overflow === 0 ? first : this.file.read(start, length);
    this.cache.set(id, page);
    return page;
  }

  /** Every leaf element under the page `p`, in key order. */
  *walk(p: Buffer, depth: number): Generator<BoltEntry> {
    if (depth > MAX_DEPTH) throw new BoltFormatError('the tree is deeper than any bbolt writes: a loop between pages');
    const flags = p.readUInt16LE(8);
    const count = p.readUInt16LE(10);
    if (HEADER + count * ELEMENT > p.length) throw new BoltFormatError(`a page claims ${count} elements, more than fit`);
    for (let i = 0; i < count; i++) {
      const e = HEADER + i * ELEMENT;
      if (flags & BRANCH) {
        yield* this.walk(this.page(p.readBigUInt64LE(e + 8)), depth + 1);
      } else if (flags & LEAF) {
        const pos = p.readUInt32LE(e + 4);
        const ksize = p.readUInt32LE(e + 8);
        const vsize = p.readUInt32LE(e + 12);
        const k = e + pos;
        if (k + ksize + vsize > p.length) throw new BoltFormatError('a leaf element runs past its page');
        const key = p.subarray(k, k + ksize);
        const value = p.subarray(k + ksize, k + ksize + vsize);
        if (p.readUInt32LE(e) & BUCKET_LEAF) yield { key, bucket: this.bucketFromValue(value, depth + 1) };
        else yield { key, value };
      } else {
        throw new BoltFormatError(`a tree page has flags 0x${flags.toString(16)} (neither branch nor leaf)`);
      }
    }
  }

  bucketFromValue(value: Buffer, depth: number): BoltBucket {
    if (value.length < 16) throw new BoltFormatError('a bucket value is shorter than its header');
    const root = value.readBigUInt64LE(0);
    // An inline bucket: its single leaf page is stored in the value, after the header.
    if (root === 0n) return this.bucket(() => value.subarray(16), depth);
    return this.bucket(() => this.page(root), depth);
  }

  bucket(rootPage: () => Buffer, depth: number): BoltBucket {
    const entries = (): Iterable<BoltEntry> => ({ [Symbol.iterator]: () => this.walk(rootPage(), depth) });
    const find = (key: string): BoltEntry | undefined => {
      const want = Buffer.from(key);
      for (const e of entries()) if (e.key.equals(want)) return e;
      return undefined;
    };
    return {
      entries,
      get: (key) => find(key)?.value,
      bucket: (key) => find(key)?.bucket,
    };
  }
}

/**
 * The database in `file` (the whole file's bytes, or a source that reads it), at its last
 * committed transaction. Pages are read as the buckets are walked.
 * @throws BoltFormatError when the bytes are not a whole bbolt database (now, or when a damaged page is reached).
 */
export function parseBolt(file: Buffer | ByteSource): BoltDb {
  const source = Buffer.isBuffer(file) ? bufferSource(file) : file;
  const head = (offset: number): Buffer | undefined => (offset + HEADER + META_CHECKSUMMED + 8 <= source.size ? source.read(offset, HEADER + META_CHECKSUMMED + 8) : undefined);
  const metas: Meta[] = [];
  const firstBytes = head(0);
  const first = firstBytes && readMeta(firstBytes, 0);
  if (first !== undefined) metas.push(first);
  // Page 1 sits one page size in; with page 0 damaged, try the usual page sizes.
  for (const size of new Set([first?.pageSize, 4096, 8192, 16384, 65536])) {
    if (size === undefined || size < 1024) continue;
    const bytes = head(size);
    const second = bytes && readMeta(bytes, 0);
    if (second !== undefined && second.pageSize === size) {
      metas.push(second);
      break;
    }
  }
  if (metas.length === 0) throw new BoltFormatError('no valid meta page (not a bbolt file, or its header is damaged)');
  const meta = metas.reduce((a, b) => (b.txid > a.txid ? b : a));
  source.inUse?.(Math.min(source.size, Number(meta.pgid) * meta.pageSize));
  const reader = new Reader(source, meta.pageSize, meta.pgid);
  return { pageSize: meta.pageSize, txid: meta.txid, root: reader.bucket(() => reader.page(meta.root), 0) };
}
