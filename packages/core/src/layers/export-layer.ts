/**
 * exportLayer: an overlay's upper layer as an OCI image-spec layer tar (whiteouts as
 * `.wh.` files, opaque dirs as `.wh..wh..opq`, redirected dirs and metacopy files written
 * with their full content), deterministic, optionally gzipped, with the digests a manifest
 * needs. Every layer file is read beneath its layer root with no symlinks (view.readFile,
 * native statBeneath): a running container swapping files while we read can make the export
 * fail with ERR_OVL_CHANGED_WHILE_READING, never put a host file into the layer.
 */
import { binding } from '../binding.js';
import { OvlError, publicError, SystemError } from '../errors.js';
import { typeOfMode } from '../format/file-types.js';
import { isOverlayXattr } from '../format/overlay-xattrs.js';
import { openOverlay } from '../view/open.js';
import type { LayerId, MergedEntry, OverlaySource, OverlayView } from '../view/types.js';
import { upperLayerEntries, type LayerEntry } from './layer-entries.js';
import { ArchiveFile, type ArchiveResult } from './tar/archive-file.js';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader, type TarType } from './tar/header.js';

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

function isView(s: LayerSource): s is OverlayView {
  return typeof s === 'object' && s !== null && typeof (s as OverlayView).readdir === 'function';
}

function layerRoot(view: OverlayView, id: LayerId): string {
  return id === 'upper' ? view.layers.upper! : view.layers.lower[id]!;
}

const TAR_TYPE: Partial<Record<MergedEntry['type'], TarType>> = { file: 'file', dir: 'dir', symlink: 'symlink', fifo: 'fifo', chardev: 'chardev', blockdev: 'blockdev' };

function changed(path: string, what: string): OvlError {
  return new OvlError('ERR_OVL_CHANGED_WHILE_READING', `ovl: '${path}' changed while exporting: ${what}`, {
    path,
    hint: 'The layer was changed while it was exported (a running container writes it): export again, or stop the container first.',
  });
}

/** The tar name of an overlay path: relative, no leading '/'. */
function tarName(path: string): Buffer {
  return Buffer.from(path.slice(1));
}

async function statInLayer(view: OverlayView, e: MergedEntry): Promise<ReturnType<ReturnType<typeof binding>['statBeneath']>> {
  const root = layerRoot(view, e.layer);
  const rel = e.sourcePath === root ? '.' : e.sourcePath.slice(root.length + 1);
  try {
    return await binding().statBeneathAsync(root, rel);
  } catch (e2) {
    if (e2 instanceof SystemError && ['ELOOP', 'EXDEV', 'ENOENT', 'ENOTDIR'].includes(e2.code)) throw changed(e.path, 'it is gone or a symlink stands in its path');
    throw e2;
  }
}

/** Writes the entries of one layer into an archive, counting progress. */
class LayerWriter {
  private entriesDone = 0;
  private bytesDone = 0;
  private lastReport = 0;
  private readonly firstLinkOf = new Map<string, Buffer>();

  constructor(
    private readonly view: OverlayView,
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

  async write(item: LayerEntry): Promise<void> {
    if (item.kind === 'entry') await this.writeEntry(item.entry);
    else await this.archive.write(encodeHeader({ name: tarName(item.path), type: 'file', mode: 0, uid: 0, gid: 0, size: 0, mtimeMs: this.mtimeMs(0) }));
    this.entriesDone++;
    this.report(false);
  }

  private async writeEntry(e: MergedEntry): Promise<void> {
    const type = TAR_TYPE[e.type];
    if (type === undefined) throw changed(e.path, `a ${e.type} cannot be written to a layer`);
    const st = await statInLayer(this.view, e);
    // A metacopy file's upper is a regular file like its data; any other change of type is a swap.
    if (typeOfMode(st.mode) !== e.type) throw changed(e.path, `a ${typeOfMode(st.mode)} now stands where the ${e.type} was`);
    const header: TarHeader = {
      name: tarName(e.path),
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: 0,
      mtimeMs: this.mtimeMs(st.mtimeMs),
      ...(this.opts.xattrs !== false && { xattrs: st.xattrs.filter(([name]) => !isOverlayXattr(name)) }),
      ...((type === 'chardev' || type === 'blockdev') && { devmajor: st.rdevMajor, devminor: st.rdevMinor }),
    };
    if (type === 'symlink') {
      await this.archive.write(encodeHeader({ ...header, linkname: await this.view.readFile(e) }));
      return;
    }
    if (type !== 'file') {
      await this.archive.write(encodeHeader(header));
      return;
    }
    // Hard links within the layer stay links: the first name in tar order carries the data.
    if (e.nlink > 1) {
      const key = `${e.layer}:${e.ino}`;
      const first = this.firstLinkOf.get(key);
      if (first !== undefined) {
        await this.archive.write(encodeHeader({ ...header, type: 'hardlink', linkname: first }));
        return;
      }
      this.firstLinkOf.set(key, header.name);
    }
    await this.archive.write(encodeHeader({ ...header, size: e.size }));
    for (let offset = 0; offset < e.size; ) {
      const want = Math.min(CHUNK, e.size - offset);
      const data = await this.view.readFile(e, { offset, length: want });
      if (data.length !== want) throw changed(e.path, `it is ${offset + data.length} bytes now, not ${e.size}`);
      await this.archive.write(data);
      offset += want;
      this.bytesDone += want;
      this.report(false);
    }
    await this.archive.write(padding(e.size));
  }

  finish(): void {
    this.report(true);
  }
}

/** Bytes of content the tar will carry: each file once, however many links it has. */
function contentBytes(items: LayerEntry[]): number {
  const seen = new Set<string>();
  let n = 0;
  for (const i of items) {
    if (i.kind !== 'entry' || i.entry.type !== 'file') continue;
    const key = `${i.entry.layer}:${i.entry.ino}`;
    if (i.entry.nlink > 1 && seen.has(key)) continue;
    seen.add(key);
    n += i.entry.size;
  }
  return n;
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
    const totals = { totalEntries: items.length, totalBytes: contentBytes(items) };
    archive = new ArchiveFile(outFile, opts.gzip ?? false);
    const writer = new LayerWriter(view, archive, opts, totals);
    for (const item of items) await writer.write(item);
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
