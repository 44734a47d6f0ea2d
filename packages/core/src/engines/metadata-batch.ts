/**
 * Many small metadata files of one dir read in one native call (readManyBeneath: one Buffer,
 * at most one thread hop) instead of one readFile each: a listing reads two per container, and the
 * per-file calls and hops were most of its time (bench/docker.bench.mjs). `dir` itself is
 * trusted as readdir trusts it (an engine's own store dir, owned by root); below it nothing
 * is followed: each file is opened beneath it with no symlink on the way nor at the end, since
 * engines keep dirs there that other processes may write. A file that is not there (nor
 * `dir`) reads as undefined; a symlink, a non-regular file or one over 16 MiB is
 * ERR_OVL_ENGINE_METADATA naming it; one we may not read, ERR_OVL_STORAGE_UNREADABLE.
 */
import { getSystemErrorName } from 'node:util';
import { binding, type ManyRead } from '../binding.js';
import { corrupt, isMissing, storageError, unreadable } from './storage-errors.js';
import type { EngineName } from './types.js';

/** No metadata file a listing reads is anywhere near this; a bigger one is not what the engine wrote. */
const MAX_METADATA_FILE = 16 << 20;
/**
 * Batches up to this many files are read on this thread: a thousand small files take about a
 * millisecond, and on a loaded machine the thread-pool hop alone cost that much or more
 * (bench/docker.bench.mjs, listing interleaved with `docker ps`). Bigger batches go to the
 * pool, so that a store of thousands of containers does not hold the event loop up.
 */
export const SYNC_MAX_FILES = 1024;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/** Bytes of one entry's key in `keys` (dev, ino, size, mtime ns, ctime ns). */
export const KEY_BYTES = 40;

/**
 * What a former batch saw of the same files: `keys` (KEY_BYTES per entry of this batch's rels,
 * zeros for an entry not seen), and when that batch was read (ms, Date.now() before its call).
 */
export interface KnownKeys {
  keys: Buffer;
  readAtMs: number;
}

export class MetadataBatch {
  private constructor(
    private readonly engine: EngineName,
    private readonly dir: string,
    private readonly rels: readonly string[],
    private readonly got: ManyRead | undefined,
    /** Date.now() before the native call: what KnownKeys.readAtMs takes. */
    readonly readAtMs: number,
  ) {}

  /**
   * The files `rels` (relative, no `..`) of `dir`. `pool`: through the thread pool whatever the
   * size, so that this thread can read another batch meanwhile. `known`: an entry whose file
   * is the very inode a former batch read, unchanged since (same dev, inode, size, mtime and
   * ctime), is not read again: `same(i)`. Its key is trusted only when its ctime is well before
   * that batch was read (100 ms; 2 s for whole seconds), as timestamps move at a coarse tick: a
   * rewrite in place within the tick of the former read, to the same size, would leave the key.
   */
  static async read(engine: EngineName, dir: string, rels: readonly string[], where: 'auto' | 'pool' = 'auto', known?: KnownKeys): Promise<MetadataBatch> {
    const readAtMs = Date.now();
    // Nothing to read (every mount-id kept, say): no call, no hop.
    if (rels.length === 0) return new MetadataBatch(engine, dir, rels, undefined, readAtMs);
    let got: ManyRead | undefined;
    try {
      got =
        where === 'auto' && rels.length <= SYNC_MAX_FILES
          ? binding().readManyBeneath(dir, rels as string[], MAX_METADATA_FILE, known?.keys, known?.readAtMs)
          : await binding().readManyBeneathAsync(dir, rels as string[], MAX_METADATA_FILE, known?.keys, known?.readAtMs);
    } catch (e) {
      if (!isMissing(e)) throw storageError(engine, dir, e);
    }
    return new MetadataBatch(engine, dir, rels, got, readAtMs);
  }

  /** The path of entry i, for errors. */
  path(i: number): string {
    return `${this.dir}/${this.rels[i]}`;
  }

  /** Bytes the batch holds (what keeping it costs). */
  get byteLength(): number {
    return this.got?.data.length ?? 0;
  }

  /** Entry i is the file a former batch read (KnownKeys), unchanged: it was not read, and has no text here. */
  same(i: number): boolean {
    return this.got?.same[i] === 1;
  }

  /** Entry i's key (KEY_BYTES, zeros when it was not a regular file read), copied into `to` at `at`. */
  copyKey(i: number, to: Buffer, at: number): void {
    this.got?.keys.copy(to, at, i * KEY_BYTES, (i + 1) * KEY_BYTES);
  }

  /** Entry i's text; undefined when it is not there. An entry that is `same` has none: asking is a bug. */
  text(i: number): string | undefined {
    if (this.got === undefined || !this.isFile(i)) return undefined;
    if (this.got.same[i] === 1) throw new Error(`ovl: internal: ${this.path(i)} was not read (it is as a former batch read it)`);
    const { data, ends } = this.got;
    return data.toString('utf8', i === 0 ? 0 : ends[i - 1], ends[i]);
  }

  /** Entry i was read whole and holds exactly the bytes entry j of `other` held. Never throws. */
  sameBytes(i: number, other: MetadataBatch, j: number): boolean {
    const [a, b] = [this.got, other.got];
    if (a === undefined || b === undefined || a.errnos[i] !== 0 || b.errnos[j] !== 0) return false;
    // An entry not read holds no bytes to compare.
    if (a.same[i] === 1 || b.same[j] === 1) return false;
    if ((a.modes[i]! & S_IFMT) !== S_IFREG || (b.modes[j]! & S_IFMT) !== S_IFREG) return false;
    const [aStart, bStart] = [i === 0 ? 0 : a.ends[i - 1]!, j === 0 ? 0 : b.ends[j - 1]!];
    const [aEnd, bEnd] = [a.ends[i]!, b.ends[j]!];
    return aEnd - aStart === bEnd - bStart && a.data.compare(b.data, bStart, bEnd, aStart, aEnd) === 0;
  }

  /** Entry i is a regular file read whole (false: not there); throws the coded error for anything else. */
  private isFile(i: number): boolean {
    const { errnos, modes } = this.got!;
    const errno = errnos[i]!;
    if (errno !== 0) {
      const code = getSystemErrorName(-errno);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      if (code === 'ELOOP' || code === 'EXDEV') throw corrupt(this.engine, this.path(i), 'it is a symlink, or a symlink is on the way to it: never followed');
      if (code === 'EFBIG') throw corrupt(this.engine, this.path(i), `it is over ${MAX_METADATA_FILE} bytes`);
      throw unreadable(this.engine, this.path(i), { code });
    }
    if ((modes[i]! & S_IFMT) !== S_IFREG) throw corrupt(this.engine, this.path(i), 'it is not a regular file');
    return true;
  }
}
