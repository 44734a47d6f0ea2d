/**
 * exportLayer: an overlay's upper layer as an OCI image-spec layer tar (whiteouts as
 * `.wh.` files, opaque dirs as `.wh..wh..opq`, redirected dirs and metacopy files written
 * with their full content), deterministic, optionally gzipped, with the digests a manifest
 * needs. Every layer file is read beneath its layer root with no symlinks (layer-records.ts):
 * a running container swapping files while we read can make the export fail with
 * ERR_OVL_CHANGED_WHILE_READING, never put a host file into the layer.
 */
import { OvlError, publicError } from '../errors.js';
import { openOverlay } from '../view/open.js';
import type { OverlaySource, OverlayView } from '../view/types.js';
import { OPAQUE_MARK, upperLayerEntries, WHITEOUT_PREFIX } from './layer-entries.js';
import { contentBytes, layerRecords, type LayerRecord } from './layer-records.js';
import { ArchiveFile, type ArchiveResult } from './tar/archive-file.js';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader } from './tar/header.js';

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
  /** Called as entries are written (at most about every 64 KiB of content and once at the end). */
  onProgress?: (p: ExportProgress) => void;
}

/** What exportLayer reads: anything openOverlay takes, or a view already open (openContainer's). */
export type LayerSource = OverlaySource | OverlayView;

const CHUNK = 1 << 20;

export function isView(s: LayerSource): s is OverlayView {
  return typeof s === 'object' && s !== null && typeof (s as OverlayView).readdir === 'function';
}

/** The tar name of an overlay path: relative, no leading '/'. */
function tarName(path: string): Buffer {
  return Buffer.from(path.slice(1));
}

/** The tar name of the whiteout of `path`: `.wh.<name>` beside it. */
function whiteoutName(path: string): Buffer {
  const slash = path.lastIndexOf('/');
  return tarName(`${path.slice(0, slash + 1)}${WHITEOUT_PREFIX}${path.slice(slash + 1)}`);
}

/** Writes the records of one layer into an archive, counting progress. */
class LayerTarWriter {
  private entriesDone = 0;
  private bytesDone = 0;
  private lastReport = 0;

  constructor(
    private readonly archive: ArchiveFile,
    private readonly opts: ExportLayerOptions,
    private readonly totals: { totalEntries: number; totalBytes: number },
  ) {}

  private mtimeMs(actual: number): number {
    const m = this.opts.mtime;
    return m === undefined ? actual : typeof m === 'number' ? m : m.getTime();
  }

  private report(force: boolean): void {
    if (!this.opts.onProgress || (!force && this.bytesDone - this.lastReport < 1 << 16)) return;
    this.lastReport = this.bytesDone;
    this.opts.onProgress({ entries: this.entriesDone, bytes: this.bytesDone, ...this.totals });
  }

  private mark(name: Buffer): TarHeader {
    return { name, type: 'file', mode: 0, uid: 0, gid: 0, size: 0, mtimeMs: this.mtimeMs(0) };
  }

  async write(r: LayerRecord): Promise<void> {
    this.entriesDone++;
    if (r.kind === 'whiteout') await this.archive.write(encodeHeader(this.mark(whiteoutName(r.path))));
    else if (r.kind === 'opaque') await this.archive.write(encodeHeader(this.mark(tarName(`${r.path}/${OPAQUE_MARK}`))));
    else {
      await this.archive.write(
        encodeHeader({
          name: tarName(r.path),
          type: r.type,
          mode: r.mode,
          uid: r.uid,
          gid: r.gid,
          size: r.size,
          mtimeMs: this.mtimeMs(r.mtimeMs),
          ...(r.linkname !== undefined && { linkname: r.linkname }),
          ...(r.linkTo !== undefined && { linkname: tarName(r.linkTo) }),
          ...(this.opts.xattrs !== false && { xattrs: r.xattrs }),
          ...((r.type === 'chardev' || r.type === 'blockdev') && { devmajor: r.devMajor, devminor: r.devMinor }),
        }),
      );
      if (r.content) {
        for await (const data of r.content(CHUNK)) {
          await this.archive.write(data);
          this.bytesDone += data.length;
          this.report(false);
        }
        await this.archive.write(padding(r.size));
      }
    }
    this.report(false);
  }

  finish(): void {
    this.report(true);
  }
}

/**
 * Write the upper layer of `source` as an OCI layer tar at `outFile` (replaced atomically;
 * nothing is left under that name on failure).
 * @returns the file's digest, the tar's diff id (sha256 of the uncompressed tar) and the file's size.
 * @throws OvlError ERR_OVL_NO_UPPER (nothing to export), ERR_OVL_CHANGED_WHILE_READING; SystemError.
 */
export async function exportLayer(source: LayerSource, outFile: string, opts: ExportLayerOptions = {}): Promise<ArchiveResult> {
  let archive: ArchiveFile | undefined;
  try {
    if (typeof outFile !== 'string' || outFile === '') throw new TypeError('exportLayer needs the path of the file to write.');
    const view = isView(source) ? source : await openOverlay(source);
    if (view.layers.upper === undefined) {
      throw new OvlError('ERR_OVL_NO_UPPER', 'ovl: this overlay has no upper layer: there are no changes to export', { hint: 'Export a writable overlay (one with an upper dir), or a container.' });
    }
    const items = await upperLayerEntries(view);
    archive = new ArchiveFile(outFile, opts.gzip ?? false);
    const writer = new LayerTarWriter(archive, opts, { totalEntries: items.length, totalBytes: contentBytes(items) });
    for await (const record of layerRecords(view, items)) await writer.write(record);
    await archive.write(END_OF_ARCHIVE);
    writer.finish();
    const result = await archive.finish();
    archive = undefined;
    return result;
  } catch (e) {
    await archive?.abort();
    throw publicError(e, exportLayer);
  }
}
