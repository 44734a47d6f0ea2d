/**
 * The layers of an overlay, top first, and reading their directories through the addon
 * (one scanDir per layer dir). A dir that is missing or not a dir in a layer simply has
 * no listing there; other failures (EACCES, EIO) are errors the caller must see.
 */
import { binding, type DirScan, type ScanFailure } from '../binding.js';
import { publicError, SystemError } from '../errors.js';
import { overlayXattrPrefix, type OverlayXattrPrefix } from '../format/overlay-xattrs.js';
import { DirListing, LightListing } from './listing.js';
import type { DirSource } from './resolve.js';
import type { LayerId } from './types.js';

/**
 * What a layer without the dir answers: missing, not a dir, or (ELOOP) a symlink where a dir
 * was expected — the kernel never follows those inside a layer.
 */
export const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

/**
 * One result of a batched native scan: the listing (made by `make`), undefined when the layer
 * has no such dir, or the error a caller must see.
 */
function scanned<L>(r: DirScan | ScanFailure, path: string, make: (scan: DirScan) => L): L | undefined {
  if ('names' in r) return make(r);
  if (ABSENT.has(r.code)) return undefined;
  throw new SystemError({ errno: r.errno, code: r.code, syscall: r.syscall, path });
}

export interface Layer {
  id: LayerId;
  root: string;
}

export class LayerStack {
  readonly layers: Layer[];
  /** Whether the layers use user.overlay.* (mounted with userxattr). */
  readonly userxattr: boolean;
  /** The namespace prefix the native scans read overlay xattrs under. */
  readonly xattrPrefix: OverlayXattrPrefix;
  readonly followRedirects: boolean;
  /** Every layer's root dir, top first: where absolute redirects and the merged root start. */
  readonly rootSources: DirSource[];

  constructor(lower: string[], upper: string | undefined, opts: { userxattr: boolean; followRedirects: boolean }) {
    this.layers = [...(upper !== undefined ? [{ id: 'upper' as const, root: upper }] : []), ...lower.map((root, i) => ({ id: i, root }))];
    this.userxattr = opts.userxattr;
    this.xattrPrefix = overlayXattrPrefix(opts);
    this.followRedirects = opts.followRedirects;
    this.rootSources = this.layers.map((_, s) => ({ s, path: '/' }));
  }

  /** Absolute path of `path` (overlay-style, '/'-rooted) inside layer `s`. */
  abs(s: number, path: string): string {
    const root = this.layers[s]!.root;
    return path === '/' ? root : root + path;
  }

  /**
   * Examine only `names` of layer `s`'s dir `path`, in full (scanNames): a lookup of a few
   * names without reading a whole dir. Names not there are simply not in the listing.
   * @throws SystemError (ENOENT, ENOTDIR, ELOOP when the dir is not there in that layer).
   */
  async scanNames(s: number, path: string, names: string[]): Promise<DirListing> {
    const abs = this.abs(s, path);
    return new DirListing(await binding().scanNamesAsync(abs, names, { xattrPrefix: this.xattrPrefix }), abs);
  }

  /** Read several layer dirs in one native call, every entry statx'd, no xattrs: sizes and types only. */
  async scanManyStats(pairs: DirSource[]): Promise<Array<DirListing | undefined>> {
    const paths = pairs.map((p) => this.abs(p.s, p.path));
    const results = await binding().scanDirsAsync(paths, { xattrPrefix: this.xattrPrefix, xattrs: false });
    return results.map((r, i) => scanned(r, paths[i]!, (scan) => new DirListing(scan, paths[i]!)));
  }

  /**
   * Look up `names[i]` in layer dir `pairs[i]`, every pair in one native call, examined as a
   * light read examines (statx; xattrs for dirs only): what a light listing of the whole dir
   * would say of those names, for a dir far bigger than the names asked. Names not there are
   * left out of the listing (undefined: the dir is not there).
   */
  async scanNamesLight(pairs: DirSource[], names: string[][]): Promise<Array<DirListing | undefined>> {
    const paths = pairs.map((p) => this.abs(p.s, p.path));
    let results;
    try {
      results = await binding().scanNamesManyAsync(paths, names, { xattrPrefix: this.xattrPrefix, stat: false });
    } catch (e) {
      throw publicError(e, LayerStack.prototype.scanNamesLight);
    }
    return results.map((r, i) => scanned(r, paths[i]!, (scan) => new DirListing(scan, paths[i]!)));
  }

  /**
   * Read several layer dirs light in one native call (one thread hop): what one merged dir
   * needs from every layer. Light: only dirs and char devices are examined (statx, and
   * xattrs for dirs), the rest keep getdents64's type; in name order (sorted natively, so the
   * layers' names can be merged without a sort in JS).
   * With `cascade` (pairs top first) the entry that decides each name — the first one, top
   * down — comes examined in full, which saves a second native call when all of it is read.
   */
  async scanManyLight(pairs: DirSource[], cascade = false): Promise<Array<LightListing | undefined>> {
    const paths = pairs.map((p) => this.abs(p.s, p.path));
    let results;
    try {
      results = await binding().scanDirsAsync(paths, { xattrPrefix: this.xattrPrefix, stat: false, sorted: true, cascade });
    } catch (e) {
      throw publicError(e, LayerStack.prototype.scanManyLight);
    }
    return results.map((r, i) => scanned(r, paths[i]!, (scan) => new LightListing(scan, paths[i]!)));
  }
}

/** Light listings of one merged-dir read, keyed by layer and path, so nothing is read twice. */
export class ListingCache {
  private readonly loading = new Map<string, Promise<LightListing | undefined>>();
  private readonly loaded = new Map<string, LightListing | undefined>();
  constructor(private readonly stack: LayerStack) {}

  /** A listing already loaded (undefined when absent or not loaded). */
  get(s: number, path: string): LightListing | undefined {
    return this.loaded.get(`${s}\0${path}`);
  }

  /** Whether the (layer, dir) pair was read (a dir absent from that layer was read too). */
  has(s: number, path: string): boolean {
    return this.loaded.has(`${s}\0${path}`);
  }

  /**
   * Read every (layer, dir) pair not read yet, all in one native call. `cascade`: the pairs are
   * the layer dirs of one merged dir, top first, and each name's deciding entry is wanted in
   * full (see scanManyLight).
   */
  async fill(pairs: DirSource[], cascade = false): Promise<void> {
    const fresh = new Map<string, DirSource>();
    for (const p of pairs) {
      const key = `${p.s}\0${p.path}`;
      if (!this.loading.has(key)) fresh.set(key, p);
    }
    if (fresh.size > 0) {
      const batch = this.stack.scanManyLight([...fresh.values()], cascade);
      [...fresh.keys()].forEach((key, i) => {
        this.loading.set(
          key,
          batch.then((listings) => {
            this.loaded.set(key, listings[i]);
            return listings[i];
          }),
        );
      });
    }
    await Promise.all(pairs.map((p) => this.loading.get(`${p.s}\0${p.path}`)));
  }

  /**
   * Examine entries of light listings in full and attach the records to them: every
   * listing's share in one native call (one thread hop for all the layer dirs of a merged dir).
   */
  async detail(requests: ReadonlyArray<{ listing: LightListing; indices: number[] }>): Promise<void> {
    if (requests.length === 0) return;
    const paths = requests.map((r) => r.listing.dirPath);
    const names = requests.map((r) => r.indices.map((i) => r.listing.name(i)));
    let results;
    try {
      results = await binding().scanNamesManyAsync(paths, names, { xattrPrefix: this.stack.xattrPrefix });
    } catch (e) {
      throw publicError(e, ListingCache.prototype.detail);
    }
    results.forEach((r, k) => {
      // A dir gone meanwhile leaves its entries light; anything else is an error to see.
      scanned(r, paths[k]!, (scan) => requests[k]!.listing.attach(scan, requests[k]!.indices));
    });
  }
}
