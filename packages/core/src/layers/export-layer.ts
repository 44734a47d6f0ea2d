/**
 * exportLayer: an overlay's upper layer as an OCI image-spec layer tar (whiteouts as
 * `.wh.` files, opaque dirs as `.wh..wh..opq`, redirected dirs and metacopy files written
 * with their full content), deterministic, optionally gzipped, with the digests a manifest
 * needs. Every layer file is read beneath its layer root with no symlinks (layer-records.ts
 * stats, native streamBeneath copies): a running container swapping or resizing files while
 * we read can make the export fail with ERR_OVL_CHANGED_WHILE_READING, never put a host file
 * into the layer nor write a tar whose data disagrees with its headers.
 *
 * Split of work: this file decides every byte of the headers and which file range goes
 * where (a StreamBatch); the addon opens, checks, reads, writes and hashes, off the main
 * thread, while the next batch is built here.
 */
import { constants } from 'node:os';
import { OvlError, publicError, SystemError } from '../errors.js';
import { isRegularMode, typeOfMode } from '../format/file-types.js';
import { openOverlay } from '../view/open.js';
import { LayerView } from '../view/overlay-view.js';
import type { OverlaySource, OverlayView } from '../view/types.js';
import { joinPath } from '../view/paths.js';
import { EntryFeed } from './entry-feed.js';
import { OPAQUE_MARK, upperLayerEntries, WHITEOUT_PREFIX } from './layer-entries.js';
import { changedWhile, contentBytes, layerRecordWindows, layerXattrs, type LayerRecord } from './layer-records.js';
import { ArchiveFile, type ArchiveResult, type StreamStop } from './tar/archive-file.js';
import { LAYOUT_SIZE, LAYOUT_WIDTH, StreamBatch } from './tar/stream-batch.js';
import { NO_XATTRS, RUN_MADE, RUN_TYPES, upperRecordWindows, type DirRun, type UpperTotals, type UpperWindow } from './upper-records.js';
import { BLOCK, EMPTY, encodeHeader, paddingLength, putPlainHeader, type TarType } from './tar/header.js';

export interface ExportProgress {
  entries: number;
  totalEntries: number;
  bytes: number;
  totalBytes: number;
}

export interface ExportLayerOptions {
  /** gzip the tar (true = level 6, or a level 1–9). Default false. */
  gzip?: boolean | number;
  /** Give every entry this mtime (a Date or ms since the epoch), for reproducible layers. */
  mtime?: Date | number;
  /** Carry the entries' xattrs as PAX records (overlay's own are never exported). Default true. */
  xattrs?: boolean;
  /** Called as entries are written (after each batch: at most 8 MiB of content apart) and once at the end. */
  onProgress?: (p: ExportProgress) => void;
}

/** What exportLayer reads: anything openOverlay takes, or a view already open (openContainer's). */
export type LayerSource = OverlaySource | OverlayView;

/**
 * A batch goes to the addon once it holds this much content (a bigger file is spliced in
 * pieces of this size), or this many bytes of headers (~500 entries): big enough that a
 * call's thread hop is noise, small enough that the addon starts soon after the scan does,
 * the last batch (written after everything else is done here) is short, progress moves and
 * memory stays flat.
 */
const BATCH_CONTENT = 8 << 20;
const BATCH_OWN_BYTES = 256 << 10;
/** Room past BATCH_OWN_BYTES for the header that crosses it (one with a big pax header grows the batch). */
const BATCH_SLACK = 16 << 10;

export function isView(s: LayerSource): s is OverlayView {
  return typeof s === 'object' && s !== null && typeof (s as OverlayView).readdir === 'function';
}

const osErrno = constants.errno;
const CHANGED_ERRNO: Record<number, string> = { [osErrno.ELOOP]: 'a symlink now stands in its path', [osErrno.EXDEV]: 'its path leads out of the layer', [osErrno.ENOENT]: 'it is gone', [osErrno.ENOTDIR]: 'it is gone' };

/** The error for a file the addon found other than the layout said. */
function stopError(stop: StreamStop, path: string, size: number): Error {
  if (stop.errno !== 0) {
    const what = CHANGED_ERRNO[stop.errno];
    return what !== undefined ? changedWhile(path, what) : new SystemError({ errno: stop.errno, syscall: 'read', path });
  }
  if (!isRegularMode(stop.mode!)) return changedWhile(path, `a ${typeOfMode(stop.mode!)} now stands where the file was`);
  if (stop.size !== size) return changedWhile(path, `it is ${stop.size} bytes now, not ${size}`);
  if (stop.changed) return changedWhile(path, 'it was written to while being read');
  return changedWhile(path, 'another file now stands in its place');
}

/**
 * Writes the records of one layer into an archive: headers encoded here, file content spliced
 * in by the addon, batch by batch; the next batch is built while the addon writes the ones
 * before it.
 */
class LayerTarWriter {
  private entriesDone = 0;
  private bytesDone = 0;
  // Every spliced file has a header in the batch (the pieces of a big one are a batch each): no more files than blocks.
  private batch = new StreamBatch(BATCH_OWN_BYTES + BATCH_SLACK, (BATCH_OWN_BYTES + BATCH_SLACK) / BLOCK);
  /**
   * The batches with the addon, oldest first: the one being written and the next, queued
   * behind it in the addon (a StreamHash runs its calls in the order they were made), so the
   * addon goes from one to the next without waiting for this thread.
   */
  private inflight: Array<Promise<void>> = [];
  /** Where the next piece of the current record's content starts; -1: its header is not in yet. */
  private contentAt = -1;
  /** opts.mtime in ms, when given: every entry's mtime. */
  private readonly fixedMtime: boolean;
  private readonly fixedMtimeMs: number;
  private readonly xattrs: boolean;

  /** Known once the scan is over; until then no progress is reported. */
  totals: { totalEntries: number; totalBytes: number } | undefined;

  constructor(
    private readonly archive: ArchiveFile,
    private readonly opts: ExportLayerOptions,
  ) {
    const m = opts.mtime;
    this.fixedMtime = m !== undefined;
    this.fixedMtimeMs = m === undefined ? 0 : typeof m === 'number' ? m : m.getTime();
    this.xattrs = opts.xattrs !== false;
  }

  /** Hand the batch to the addon once fewer than two are there (the archive is one stream, in order). */
  private async flush(): Promise<void> {
    if (this.batch.empty) return;
    if (this.inflight.length >= 2) await this.inflight.shift();
    // Taken and handed on at once: its bytes are a view of the storage the next batch fills.
    const taken = this.batch.take();
    const progress = { entries: this.entriesDone, bytes: this.bytesDone };
    const written = this.archive.write(taken).then((stop) => {
      if (stop !== undefined) throw stopError(stop, taken.paths[stop.index]!, taken.layout[stop.index * LAYOUT_WIDTH + LAYOUT_SIZE]!);
      if (this.totals !== undefined) this.opts.onProgress?.({ ...progress, ...this.totals });
    });
    written.catch(() => undefined); // surfaced when awaited, at a later flush or at finish
    this.inflight.push(written);
  }

  /** Whether the batch is full: the caller then flushes it. */
  private get full(): boolean {
    return this.batch.contentBytes >= BATCH_CONTENT || this.batch.ownBytes >= BATCH_OWN_BYTES;
  }

  /**
   * The header of one entry into the batch: encoded in place when it needs no pax header (most
   * do), else by encodeHeader. `name.slice(1)` is its tar name (an overlay path's, without the '/').
   */
  private header(name: string, type: TarType, mode: number, uid: number, gid: number, size: number, mtimeMs: number, link: Buffer, devMajor: number, devMinor: number, xattrs: Array<[string, Buffer]>): void {
    const mtime = this.fixedMtime ? this.fixedMtimeMs : mtimeMs;
    if (xattrs.length === 0) {
      const at = this.batch.reserve(BLOCK);
      if (putPlainHeader(this.batch.bytes, at, name, 1, type, mode, uid, gid, size, mtime, link, devMajor, devMinor)) return;
      this.batch.cut(at);
    }
    this.batch.append(encodeHeader({ name: Buffer.from(name.slice(1)), type, mode, uid, gid, size, mtimeMs: mtime, linkname: link, xattrs, devmajor: devMajor, devminor: devMinor }));
  }

  /** A whiteout or opaque mark: an empty file of that name. */
  private mark(name: string): void {
    this.header(name, 'file', 0, 0, 0, 0, 0, EMPTY, 0, 0, NO_XATTRS);
  }

  /** The whiteout of `path`: `.wh.<name>` beside it. */
  private whiteout(path: string): void {
    const slash = path.lastIndexOf('/');
    this.mark(`${path.slice(0, slash + 1)}${WHITEOUT_PREFIX}${path.slice(slash + 1)}`);
  }

  /** The header of a record. */
  private record(r: LayerRecord): void {
    if (r.kind === 'whiteout') return this.whiteout(r.path);
    if (r.kind === 'opaque') return this.mark(`${r.path}/${OPAQUE_MARK}`);
    const device = r.type === 'chardev' || r.type === 'blockdev';
    this.header(
      r.type === 'dir' ? `${r.path}/` : r.path,
      r.type,
      r.mode,
      r.uid,
      r.gid,
      r.size,
      r.mtimeMs,
      r.linkTo !== undefined ? Buffer.from(r.linkTo.slice(1)) : (r.linkname ?? EMPTY),
      device ? r.devMajor : 0,
      device ? r.devMinor : 0,
      this.xattrs ? r.xattrs : NO_XATTRS,
    );
  }

  /**
   * The content of a file from `contentAt` on, piece by piece, then its padding.
   * @returns true when the batch filled up first (the rest goes in at the next call).
   */
  private content(root: string, rel: string, ino: number, size: number, path: string): boolean {
    while (this.contentAt < size) {
      const length = Math.min(BATCH_CONTENT, size - this.contentAt);
      this.batch.splice(root, rel, ino, size, this.contentAt, length, path);
      this.contentAt += length;
      this.bytesDone += length;
      if (this.full) return true;
    }
    this.batch.zeros(paddingLength(size));
    return false;
  }

  /** A record's content, if it has any: as content(). */
  private recordContent(r: LayerRecord): boolean {
    return r.kind === 'entry' && r.source !== undefined && r.size > 0 && this.content(r.source.root, r.source.rel, r.source.ino, r.size, r.path);
  }

  /** Add a window of records to the stream, handing batches to the addon as they fill. */
  async write(window: UpperWindow): Promise<void> {
    const n = Array.isArray(window) ? window.length : window.to - window.from;
    for (let k = this.fill(window, 0); k < n || this.full; k = this.fill(window, k)) await this.flush();
  }

  /**
   * Put the window's records from the k-th on into the batch until it is full: the index of
   * the first record not wholly in (the window's length when all are). Synchronous, so that
   * the per-entry work is not compiled inside an async function; a big file's content goes in
   * over several calls, piece by piece, from `contentAt`.
   */
  private fill(window: UpperWindow, k: number): number {
    return Array.isArray(window) ? this.fillRecords(window, k) : this.fillRun(window, k);
  }

  private fillRecords(records: readonly LayerRecord[], k: number): number {
    for (; k < records.length; k++) {
      const r = records[k]!;
      if (this.contentAt < 0) {
        this.entriesDone++;
        this.record(r);
        this.contentAt = 0;
      }
      if (this.recordContent(r)) return k;
      this.contentAt = -1;
      if (this.full) return k + 1;
    }
    return k;
  }

  /** fillRecords for a run of a dir's entries: from their scan. */
  private fillRun({ dir, from, to }: DirRun, k: number): number {
    const { scan, order, kinds } = dir;
    for (; k < to - from; k++) {
      const kind = kinds[from + k]!;
      const made = kind === RUN_MADE ? dir.made.get(from + k)! : undefined;
      const i = order[from + k]!;
      const path = made !== undefined ? made.path : joinPath(dir.path, scan.names[i]!);
      const type = kind < RUN_TYPES.length ? RUN_TYPES[kind] : undefined; // else a whiteout, or made
      if (this.contentAt < 0) {
        this.entriesDone++;
        if (made !== undefined) this.record(made);
        else if (type === undefined) this.whiteout(path);
        else {
          const device = type === 'chardev' || type === 'blockdev';
          // What record() writes of the record the walk would make of entry i.
          this.header(
            type === 'dir' ? `${path}/` : path,
            type,
            scan.mode[i]! & 0o7777,
            scan.uid[i]!,
            scan.gid[i]!,
            type === 'file' ? scan.size[i]! : 0,
            scan.mtimeMs[i]!,
            dir.targets[i] ?? EMPTY,
            device ? scan.rdevMajor[i]! : 0,
            device ? scan.rdevMinor[i]! : 0,
            this.xattrs ? layerXattrs(scan.xattrs?.[i] ?? NO_XATTRS) : NO_XATTRS,
          );
        }
        this.contentAt = 0;
      }
      if (made !== undefined ? this.recordContent(made) : type === 'file' && scan.size[i]! > 0 && this.content(dir.root, path.slice(1), scan.ino[i]!, scan.size[i]!, path)) return k;
      this.contentAt = -1;
      if (this.full) return k + 1;
    }
    return k;
  }

  /** Write what is left, the end of the archive, and wait for all of it. */
  async finish(): Promise<void> {
    this.batch.zeros(2 * BLOCK);
    await this.flush();
    while (this.inflight.length > 0) await this.inflight.shift();
  }

  /** Wait for the batches in flight, whatever their outcome (before the archive is thrown away). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.inflight);
  }
}

/**
 * The upper layer's records, in tar order, as the scan finds them; `onTotals` once it is over.
 * A view of ours is read in one pass per dir (upper-records.ts); any other view through its
 * readdir, each entry then stat'ed again beneath its layer (layer-records.ts).
 */
async function* recordsOf(view: OverlayView, onTotals: (t: UpperTotals) => void): AsyncGenerator<UpperWindow> {
  if (view instanceof LayerView) {
    yield* upperRecordWindows(view, view.xattrPrefix, onTotals);
    return;
  }
  const feed = new EntryFeed();
  const scan = upperLayerEntries(view, undefined, feed).then(
    (items) => {
      onTotals({ totalEntries: items.length, totalBytes: contentBytes(items) });
      feed.finish();
    },
    (e: unknown) => feed.fail(e),
  );
  yield* layerRecordWindows(view, feed, { inline: false });
  await scan;
}

/**
 * Write the upper layer of `source` as an OCI layer tar at `outFile` (replaced atomically;
 * nothing is left under that name on failure).
 * @returns the file's digest, the tar's diff id (sha256 of the uncompressed tar) and the file's size.
 * @throws OvlError ERR_OVL_NO_UPPER (nothing to export), ERR_OVL_CHANGED_WHILE_READING; SystemError.
 */
export async function exportLayer(source: LayerSource, outFile: string, opts: ExportLayerOptions = {}): Promise<ArchiveResult> {
  let archive: ArchiveFile | undefined;
  let writer: LayerTarWriter | undefined;
  try {
    if (typeof outFile !== 'string' || outFile === '') throw new TypeError('exportLayer needs the path of the file to write.');
    const view = isView(source) ? source : await openOverlay(source);
    if (view.layers.upper === undefined) {
      throw new OvlError('ERR_OVL_NO_UPPER', 'ovl: this overlay has no upper layer: there are no changes to export', { hint: 'Export a writable overlay (one with an upper dir), or a container.' });
    }
    archive = await ArchiveFile.create(outFile, opts.gzip ?? false);
    const w = (writer = new LayerTarWriter(archive, opts));
    // Writing starts while the scan goes on; progress once the scan has the totals.
    for await (const records of recordsOf(view, (totals) => (w.totals = totals))) await writer.write(records);
    await writer.finish();
    const result = await archive.finish();
    archive = undefined;
    return result;
  } catch (e) {
    await writer?.settle();
    await archive?.abort();
    throw publicError(e, exportLayer);
  }
}
