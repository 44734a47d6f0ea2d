/**
 * OverlayView: the merged tree of an overlay computed from its layer dirs — what the
 * kernel would show, plus where each entry comes from — without a mount and without root.
 */
import { lstat } from 'node:fs/promises';
import { OvlError, publicError } from '../errors.js';
import { changesOf } from './changes.js';
import type { LayerStack } from './layer-stack.js';
import { lookupChild, lookupChildren } from './lookup.js';
import { MergedDirReader, readMergedDir, type MergedDir } from './merged-dir.js';
import { baseOf, components, joinPath, overlayPath, parentOf } from './paths.js';
import type { DirSource } from './resolve.js';
import type { Change, ChangesOptions, MergedEntry, OverlayView, OverlayWatch, ReaddirChunksOptions, ReaddirOptions, UpperUsage, WalkOptions, WatchOptions } from './types.js';
import { upperUsageOf } from './upper-usage.js';
import { readEntry, type ReadRange } from './read-file.js';
import { watchOverlay } from './watch.js';

const DEFAULT_CONCURRENCY = 8;
/** readdirChunks: names in the first piece (a tall terminal's worth and then some), and the most in any piece. */
const FIRST_CHUNK = 256;
const MAX_CHUNK = 16_384;

export class LayerView implements OverlayView {
  readonly layers: { upper?: string; lower: string[] };

  /** The namespace the layers' overlay xattrs are under (what a scan of a layer dir needs to read them). */
  get xattrPrefix(): string {
    return this.stack.xattrPrefix;
  }

  constructor(private readonly stack: LayerStack) {
    const upper = stack.layers.find((l) => l.id === 'upper');
    this.layers = { lower: stack.layers.filter((l) => l.id !== 'upper').map((l) => l.root), ...(upper && { upper: upper.root }) };
  }

  /** The layer dirs of a merged dir, by resolving each component from the root; undefined when not a visible dir. */
  private async dirSources(path: string): Promise<DirSource[] | undefined> {
    let sources: DirSource[] = this.stack.rootSources;
    let dir = '/';
    for (const name of components(path)) {
      const child = await lookupChild(this.stack, dir, sources, name);
      if (!child?.dirSources) return undefined;
      sources = child.dirSources;
      dir = joinPath(dir, name);
    }
    return sources;
  }

  /** The layer dirs of the merged dir `path`, or the error readdir gives for it. */
  private async readableDir(path: string): Promise<DirSource[]> {
    const sources = await this.dirSources(path);
    if (sources) return sources;
    const entry = await this.stat(path);
    throw new OvlError(entry ? 'ERR_OVL_NOT_A_DIRECTORY' : 'ERR_OVL_NO_SUCH_PATH', `ovl: '${path}' ${entry ? 'is not a directory' : 'does not exist'} in the overlay`, { path });
  }

  async readdir(rel: string, opts: ReaddirOptions = {}): Promise<MergedEntry[]> {
    const path = overlayPath(rel);
    return (await readMergedDir(this.stack, path, await this.readableDir(path), opts.whiteouts === true)).entries;
  }

  /**
   * readdir in pieces, in name order (together they are exactly readdir's list): the first
   * piece is small, so a screenful of a huge dir can be shown while the rest is examined;
   * later pieces grow (x4, up to 16,384 names). Names are read once, up front, and handed to
   * `onNames` before the first piece.
   */
  async *readdirChunks(rel: string, opts: ReaddirChunksOptions = {}): AsyncGenerator<MergedEntry[]> {
    const path = overlayPath(rel);
    const reader = await MergedDirReader.open(this.stack, path, await this.readableDir(path), opts.whiteouts === true, false);
    opts.onNames?.(reader.dirNames());
    const most = Math.max(1, Math.floor(opts.maxChunk ?? MAX_CHUNK));
    let size = Math.min(most, Math.max(1, Math.floor(opts.firstChunk ?? FIRST_CHUNK)));
    for (let from = 0; from < reader.nameCount; from += size, size = Math.min(size * 4, most)) {
      const { entries } = await reader.range(from, Math.min(reader.nameCount, from + size));
      if (entries.length > 0) yield entries; // a piece of only hidden ghosts is no news
    }
  }

  /** The visible entry at `rel`; with `whiteouts`, a deleted name comes back as its ghost. */
  async stat(rel: string, opts: ReaddirOptions = {}): Promise<MergedEntry | undefined> {
    const path = overlayPath(rel);
    if (path === '/') return this.rootEntry();
    const parts = components(path);
    const name = parts.pop()!;
    const parent = `/${parts.join('/')}`;
    const sources = await this.dirSources(parent);
    if (!sources) return undefined;
    return (await lookupChild(this.stack, parent, sources, name, opts.whiteouts === true))?.entry;
  }

  /**
   * stat() of many paths at once, in the order given: paths that share a parent dir are
   * looked up together (one scanNames per layer dir per round), which is what following a
   * burst of changes needs. With `{ whiteouts: true }` deleted names come back as ghosts.
   */
  async statMany(rels: readonly string[], opts: ReaddirOptions = {}): Promise<Array<MergedEntry | undefined>> {
    const out: Array<MergedEntry | undefined> = new Array(rels.length).fill(undefined);
    const byParent = new Map<string, Array<{ at: number; name: string }>>();
    const roots: number[] = [];
    rels.forEach((rel, at) => {
      const path = overlayPath(rel);
      if (path === '/') return void roots.push(at);
      const parent = parentOf(path);
      const group = byParent.get(parent) ?? [];
      group.push({ at, name: baseOf(path) });
      byParent.set(parent, group);
    });
    const whiteouts = opts.whiteouts === true;
    await Promise.all([
      ...roots.map(async (at) => (out[at] = await this.rootEntry())),
      ...[...byParent].map(async ([parent, group]) => {
        const sources = await this.dirSources(parent);
        if (!sources) return;
        const found = await lookupChildren(this.stack, parent, sources, group.map((g) => g.name), whiteouts);
        group.forEach((g, k) => (out[g.at] = found[k]?.entry));
      }),
    ]);
    return out;
  }

  private async rootEntry(): Promise<MergedEntry> {
    const top = this.stack.layers[0]!;
    const st = await lstat(top.root).catch((e: unknown) => Promise.reject(publicError(e, LayerView.prototype.stat)));
    // The fields of entryOf (merged-dir.ts), in its order: one hidden class for every entry.
    return {
      path: '/', name: '', type: 'dir', size: st.size, mode: st.mode, mtimeMs: st.mtimeMs, layer: top.id,
      shadows: this.stack.layers.slice(1).map((l) => l.id), copiedUp: top.id === 'upper' && this.stack.layers.length > 1,
      opaque: false, redirect: undefined, metacopy: false, sourcePath: top.root, dataLayer: undefined, dataPath: undefined,
      uid: st.uid, gid: st.gid, nlink: this.stack.layers.length > 1 ? 1 : st.nlink, ino: st.ino,
    };
  }

  /**
   * Every visible entry below the start dir (ghosts too with `whiteouts`), streamed: dirs are
   * read `concurrency` at a time and entries yielded as each dir completes — sorted within a
   * dir, in no fixed order across dirs. Memory holds at most `concurrency` dirs' entries plus
   * the list of dirs still to read, never the tree.
   */
  async *walk(opts: WalkOptions = {}): AsyncGenerator<MergedEntry> {
    const start = overlayPath(opts.root ?? '/');
    const startSources = await this.dirSources(start);
    if (!startSources) throw new OvlError('ERR_OVL_NOT_A_DIRECTORY', `ovl: '${start}' is not a directory in the overlay`, { path: start });
    const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
    const whiteouts = opts.whiteouts === true;
    const pending: Array<{ path: string; sources: DirSource[] }> = [{ path: start, sources: startSources }];
    const inFlight = new Map<number, Promise<{ id: number; dir: MergedDir }>>();
    let nextId = 0;

    while (pending.length > 0 || inFlight.size > 0) {
      while (inFlight.size < concurrency && pending.length > 0) {
        const dir = pending.pop()!;
        const id = nextId++;
        inFlight.set(id, readMergedDir(this.stack, dir.path, dir.sources, whiteouts).then((read) => ({ id, dir: read })));
      }
      const { id, dir } = await Promise.race(inFlight.values());
      inFlight.delete(id);
      for (const [i, sources] of dir.dirSources) pending.push({ path: dir.entries[i]!.path, sources });
      yield* dir.entries;
    }
  }

  async changes(opts: ChangesOptions = {}): Promise<Change[]> {
    const all = await changesOf(this.stack);
    if (opts.ignore === undefined) return all;
    if (!Array.isArray(opts.ignore)) throw new TypeError('The "ignore" option must be an array of overlay paths.');
    const ignored = new Set(opts.ignore.map(overlayPath));
    return all.filter((c) => !ignored.has(c.path));
  }

  upperUsage(): Promise<UpperUsage> {
    return upperUsageOf(this.stack);
  }

  readFile(entry: MergedEntry, range?: ReadRange): Promise<Buffer> {
    return readEntry(this.stack, entry, range);
  }

  watch(opts: WatchOptions = {}): OverlayWatch {
    return watchOverlay(this.stack, opts, (paths) => this.statMany(paths, { whiteouts: true }));
  }
}
