/**
 * OverlayService over @ovl/core. Reads come from the layer dirs (core's view), so looking
 * never changes anything; writes go through the merged mount, so the kernel does the
 * copy-up and the upper-dir watch reports it like any other process's change.
 */
import { lstat, open, readlink, rm, mkdir, writeFile, rename as fsRename } from 'node:fs/promises';
import { join } from 'node:path';
import { isWhiteout, mountOverlay, openOverlay, OvlError, type OverlayMount, type OverlaySpec, type OverlayView } from '@ovl/core';
import type { ChangeStream, HeaderInfo, MergedEntry, OverlayService } from './types.js';

/**
 * One hidden class for every entry the UI holds: core builds entries in more than one shape
 * (listing, lookup, metacopy, redirect), and a 100,000-row tree walked over mixed shapes is
 * several times slower (megamorphic property access) than over one.
 */
export function uniformEntry(e: MergedEntry): MergedEntry {
  return {
    path: e.path, name: e.name, type: e.type, size: e.size, mode: e.mode, mtimeMs: e.mtimeMs, layer: e.layer, shadows: e.shadows,
    copiedUp: e.copiedUp, opaque: e.opaque, redirect: e.redirect, metacopy: e.metacopy, sourcePath: e.sourcePath,
    dataLayer: e.dataLayer, dataPath: e.dataPath, uid: e.uid, gid: e.gid, nlink: e.nlink, ino: e.ino,
  };
}

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
  /** Runs last in close(): the demo removes its temp dir here. */
  cleanup?: () => Promise<void>;
}

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

  async readdir(path: string): Promise<MergedEntry[]> {
    return (await this.init.view.readdir(path, { whiteouts: true })).map(uniformEntry);
  }

  async stat(path: string): Promise<MergedEntry | undefined> {
    const e = (await this.init.view.stat(path)) ?? (await this.ghost(path));
    return e && uniformEntry(e);
  }

  /**
   * core's stat() has no { whiteouts } option (readdir has): a name deleted in upper comes
   * back undefined. The live tree needs the ghost row, so it is made here from the whiteout
   * in upper and the lower version it hides — reading the parent dir instead would cost a
   * full listing per deleted name, too much for a big dir during a burst of changes.
   */
  private async ghost(path: string): Promise<MergedEntry | undefined> {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const parent = await this.init.view.stat(path.slice(0, path.lastIndexOf('/')) || '/');
    if (name === '' || parent?.type !== 'dir' || parent.layer !== 'upper') return undefined;
    const sourcePath = join(parent.sourcePath, name);
    if (!(await isWhiteout(sourcePath).catch(() => false))) return undefined;
    const [st, below] = await Promise.all([lstat(sourcePath), this.lowerVersion(path).catch(() => undefined)]);
    return {
      path, name, type: 'whiteout', size: 0, mode: st.mode, mtimeMs: st.mtimeMs, layer: 'upper', shadows: below ? [below.layer] : [],
      copiedUp: false, opaque: false, metacopy: false, sourcePath, uid: st.uid, gid: st.gid, nlink: st.nlink, ino: st.ino,
    };
  }

  async readFile(entry: MergedEntry, range: { offset: number; length: number }): Promise<Buffer> {
    if (entry.type === 'symlink') return Buffer.from(await readlink(entry.sourcePath));
    // Read-only open of the layer file itself: opening through merged for writing would copy up.
    const fh = await open(entry.dataPath ?? entry.sourcePath, 'r');
    try {
      const buf = Buffer.alloc(Math.max(0, range.length));
      const { bytesRead } = await fh.read(buf, 0, buf.length, range.offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
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

  mergedPath(path: string): string {
    const merged = this.init.merged;
    if (merged === undefined || !this.init.header.writable) {
      throw new OvlError('ERR_OVL_READ_ONLY_VIEW', 'ovl-tui: this view is read-only', {
        hint: 'Changes go through a mounted overlay with an upper layer: open its merged dir, or mount one with --lower/--upper/--work/--mount.',
      });
    }
    return path === '/' ? merged : join(merged, path);
  }

  async create(path: string, kind: 'file' | 'dir'): Promise<void> {
    const p = this.mergedPath(path);
    if (kind === 'dir') await mkdir(p);
    else await writeFile(p, '', { flag: 'wx' });
  }

  async rename(from: string, to: string): Promise<void> {
    await fsRename(this.mergedPath(from), this.mergedPath(to));
  }

  async remove(path: string): Promise<void> {
    await rm(this.mergedPath(path), { recursive: true });
  }

  async revert(path: string): Promise<void> {
    const mount = this.mount;
    const upper = this.init.view.layers.upper;
    if (!this.init.header.canRevert || mount === undefined || upper === undefined) {
      throw new OvlError('ERR_OVL_NOT_OURS', 'ovl-tui: revert needs an unmount, and this overlay was not mounted by ovl-tui', {
        hint: 'Revert works on overlays ovl-tui mounts itself (--mount or --demo).',
      });
    }
    const entry = await this.stat(path);
    if (entry === undefined || entry.layer !== 'upper') {
      throw new OvlError('ERR_OVL_NOTHING_TO_REVERT', `ovl-tui: '${path}' has nothing in the upper layer`, { path });
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
    } finally {
      await this.init.cleanup?.();
    }
  }
}
