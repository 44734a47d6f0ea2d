/**
 * OverlayService over @ovl/core. Reads come from the layer dirs (core's view), so looking
 * never changes anything; writes go through the merged mount, so the kernel does the
 * copy-up and the upper-dir watch reports it like any other process's change.
 */
import { rm, mkdir, writeFile, rename as fsRename } from 'node:fs/promises';
import { join } from 'node:path';
import { commit, explainWriteFailure, exportLayer, mountOverlay, openOverlay, vacuum, type CommitSource, type ExportLayerResult, type ExportProgress, type OverlayMount, type OverlaySpec, type OverlayView } from '@ovl/core';
import { AppRefusal } from './errors.js';
import { forgetMount } from './mount-records.js';
import type { ChangeStream, DirNames, HeaderInfo, MergedEntry, OverlayService } from './types.js';

/** The watch of a view whose layers never change: ends at once. */
const NO_CHANGES: ChangeStream = {
  async *[Symbol.asyncIterator]() {},
  close: async () => undefined,
};

export interface CoreServiceInit {
  view: OverlayView;
  header: HeaderInfo;
  /** The merged dir, when there is a mount to write through. */
  merged?: string;
  /** The mount ovl-tui made (revert and unmount-on-quit need it). */
  mount?: OverlayMount;
  /** Leave ovl-tui's mount in place on quit (--keep). */
  keep?: boolean;
  /** Layer xattrs in the user.* namespace (for the lower-only view). */
  userxattr?: boolean;
  /** The record of ovl-tui's mount (mount-records.ts): removed once the mount is gone, or kept on purpose. */
  record?: string;
  /** Runs last in close(): the demo removes its temp dir here. */
  cleanup?: () => Promise<void>;
  /** An image's layer list (the image's merged view has one). */
  image?: OverlayService['image'];
  /**
   * Nothing writes to these layers (an image's): no live feed, so no inotify watch is set on
   * every dir of a layer that could hold tens of thousands.
   */
  unchanging?: boolean;
}

/**
 * Names per piece of a big dir, at most. Core builds a piece's entries in one go on the main
 * thread, where keys wait: with the names in first, the tree no longer needs big pieces to
 * fill up. On the 100,000-entry bench (2 runs each, load average 14-16) the slowest key while
 * the dir loaded took 216-232 ms with 2,048 against 310-563 ms with core's 16,384. Reading
 * that dir alone (core, no UI, load average ~5), the longest event-loop block among its
 * pieces was 12-14 ms with 1,024 against 9-31 ms with 2,048, in the same time overall.
 */
const MAX_PIECE = 1024;

export class CoreService implements OverlayService {
  private readonly streams = new Set<ChangeStream>();
  private lowerView: Promise<OverlayView | undefined> | undefined;
  private mount: OverlayMount | undefined;
  private closed = false;

  constructor(private readonly init: CoreServiceInit) {
    this.mount = init.mount;
  }

  describe(): HeaderInfo {
    return this.init.header;
  }

  get image(): OverlayService['image'] {
    return this.init.image;
  }

  // core builds every entry with the same fields in the same order (one hidden class), so
  // the 100,000-row tree is walked monomorphically without copying entries into one shape.
  readdir(path: string): Promise<MergedEntry[]> {
    return this.init.view.readdir(path, { whiteouts: true });
  }

  readdirChunks(path: string, onNames?: (names: DirNames) => void): AsyncIterable<MergedEntry[]> {
    return this.init.view.readdirChunks(path, { whiteouts: true, onNames, maxChunk: MAX_PIECE });
  }

  /** A deleted name comes back as its ghost: the live tree shows it as a whiteout row. */
  stat(path: string): Promise<MergedEntry | undefined> {
    return this.init.view.stat(path, { whiteouts: true });
  }

  statMany(paths: readonly string[]): Promise<Array<MergedEntry | undefined>> {
    return this.init.view.statMany(paths, { whiteouts: true });
  }

  /**
   * Read from the layer file itself, through core's safe read: beneath the layer root, no
   * symlinks, never blocking on a FIFO, checked to be the file the view saw — a running
   * container can swap its files while we look, and we look as root. (Opening through merged
   * for writing would copy up; opening the layer path plainly could follow a swapped-in link.)
   * The entries of the lower-only view (lowerVersion) have the same lower layer ids.
   */
  readFile(entry: MergedEntry, range: { offset: number; length: number }): Promise<Buffer> {
    return this.init.view.readFile(entry, range);
  }

  async lowerVersion(path: string): Promise<MergedEntry | undefined> {
    const lower = this.init.view.layers.lower;
    this.lowerView ??= lower.length === 0 ? Promise.resolve(undefined) : openOverlay({ lower, userxattr: this.init.userxattr === true });
    const view = await this.lowerView;
    return view?.stat(path);
  }

  changes() {
    return this.init.view.changes();
  }

  watch(): ChangeStream {
    if (this.init.unchanging === true) return NO_CHANGES;
    const stream = this.init.view.watch();
    this.streams.add(stream);
    return {
      [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](),
      close: async () => {
        this.streams.delete(stream);
        await stream.close();
      },
    };
  }

  exportLayer(file: string, onProgress: (p: ExportProgress) => void): Promise<ExportLayerResult> {
    this.upperLayers('export');
    return exportLayer(this.init.view, file, { gzip: /\.(gz|tgz)$/.test(file), onProgress });
  }

  vacuum(apply: boolean) {
    return vacuum(this.upperLayers('vacuum'), { apply });
  }

  commit(into: { dir: string } | 'top-lower') {
    return commit(this.upperLayers('commit'), into === 'top-lower' ? { into: 'top-lower' } : { into: 'new-layer', dir: into.dir });
  }

  /** The stack's layers, for the layer actions: they work on an upper layer. */
  private upperLayers(what: string): CommitSource {
    const { lower, upper } = this.init.view.layers;
    if (upper === undefined) {
      throw new AppRefusal('ERR_TUI_NO_UPPER', `ovl-tui: nothing to ${what}: this view has no upper layer`, {
        hint: 'Open an overlay with an upper dir (its merged dir, --upper, or a container); an image layer opened from its list works too.',
      });
    }
    return { lower, upper, userxattr: this.init.userxattr === true };
  }

  mergedPath(path: string): string {
    const merged = this.init.merged;
    if (merged === undefined || !this.init.header.writable) {
      throw new AppRefusal('ERR_TUI_READ_ONLY_VIEW', 'ovl-tui: this view is read-only', {
        hint: 'Changes go through a mounted overlay with an upper layer: open its merged dir, or mount one with --lower/--upper/--work/--mount.',
      });
    }
    return path === '/' ? merged : join(merged, path);
  }

  /**
   * A write through merged; a lower file's first change copies it whole into upper, so a full
   * upper fails even a small change: core's explanation (free space, copy-up size) replaces
   * the bare ENOSPC.
   */
  private async write(path: string, op: () => Promise<unknown>): Promise<void> {
    try {
      await op();
    } catch (e) {
      throw await explainWriteFailure(e, path);
    }
  }

  create(path: string, kind: 'file' | 'dir'): Promise<void> {
    const p = this.mergedPath(path);
    return this.write(p, () => (kind === 'dir' ? mkdir(p) : writeFile(p, '', { flag: 'wx' })));
  }

  rename(from: string, to: string): Promise<void> {
    const p = this.mergedPath(from);
    return this.write(p, () => fsRename(p, this.mergedPath(to)));
  }

  remove(path: string): Promise<void> {
    const p = this.mergedPath(path);
    return this.write(p, () => rm(p, { recursive: true }));
  }

  async revert(path: string): Promise<void> {
    const mount = this.mount;
    const upper = this.init.view.layers.upper;
    if (!this.init.header.canRevert || mount === undefined || upper === undefined) {
      throw new AppRefusal('ERR_TUI_NOT_MOUNTED_HERE', 'ovl-tui: revert needs an unmount, and this overlay was not mounted by ovl-tui', {
        hint: 'Revert works on overlays ovl-tui mounts itself (--mount or --demo).',
      });
    }
    const entry = await this.stat(path);
    if (entry === undefined || entry.layer !== 'upper') {
      throw new AppRefusal('ERR_TUI_NOTHING_TO_REVERT', `ovl-tui: '${path}' has nothing in the upper layer`, { path });
    }
    // The kernel forbids changing a layer under a live mount (undefined behaviour), so the
    // upper copy is removed while unmounted; the spec is kept to mount the same stack again.
    const spec: OverlaySpec = mount.spec;
    await mount.unmount();
    try {
      await rm(entry.sourcePath, { recursive: true, force: true });
    } finally {
      this.mount = await mountOverlay(spec);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.streams].map((s) => s.close()));
    try {
      if (this.mount && !this.init.keep) await this.mount.unmount();
      // Not reached when the unmount failed: the record then lets the next start offer it again.
      if (this.init.record !== undefined) forgetMount(this.init.record);
    } finally {
      await this.init.cleanup?.();
    }
  }
}
