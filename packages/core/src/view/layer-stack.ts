/**
 * The layers of an overlay, top first, and reading their directories through the addon
 * (one scanDir per layer dir). A dir that is missing or not a dir in a layer simply has
 * no listing there; other failures (EACCES, EIO) are errors the caller must see.
 */
import { binding } from '../binding.js';
import { fromNative } from '../errors.js';
import { DirListing, LightListing } from './listing.js';
import type { DirSource } from './resolve.js';
import type { LayerId } from './types.js';

export interface Layer {
  id: LayerId;
  root: string;
}

export class LayerStack {
  readonly layers: Layer[];
  readonly xattrPrefix: string;
  readonly followRedirects: boolean;
  /** Every layer's root dir, top first: where absolute redirects and the merged root start. */
  readonly rootSources: DirSource[];

  constructor(lower: string[], upper: string | undefined, opts: { userxattr: boolean; followRedirects: boolean }) {
    this.layers = [...(upper !== undefined ? [{ id: 'upper' as const, root: upper }] : []), ...lower.map((root, i) => ({ id: i, root }))];
    this.xattrPrefix = opts.userxattr ? 'user.overlay.' : 'trusted.overlay.';
    this.followRedirects = opts.followRedirects;
    this.rootSources = this.layers.map((_, s) => ({ s, path: '/' }));
  }

  /** Absolute path of `path` (overlay-style, '/'-rooted) inside layer `s`. */
  abs(s: number, path: string): string {
    const root = this.layers[s]!.root;
    return path === '/' ? root : root + path;
  }

  /**
   * Read one layer dir; undefined when it does not exist there (or is not a dir). `light`
   * examines only dirs and char devices (see ScanDirOptions.stat): a LightListing.
   */
  async scan(s: number, path: string, light?: { xattrs: boolean }): Promise<DirListing | undefined> {
    const dir = this.abs(s, path);
    const opts = light ? { xattrPrefix: this.xattrPrefix, stat: false, xattrs: light.xattrs } : { xattrPrefix: this.xattrPrefix };
    try {
      const scan = await binding().scanDirAsync(dir, opts);
      return light ? new LightListing(scan, dir) : new DirListing(scan, dir);
    } catch (e) {
      const code = (e as { code?: string }).code;
      // ELOOP: a symlink where a dir was expected — the kernel never follows those inside a layer.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
      throw fromNative(e, LayerStack.prototype.scan);
    }
  }
}

/** Light listings of one merged-dir read, keyed by layer and path, so nothing is read twice. */
export class ListingCache {
  private readonly loading = new Map<string, Promise<DirListing | undefined>>();
  private readonly loaded = new Map<string, DirListing | undefined>();
  constructor(private readonly stack: LayerStack) {}

  /** A listing already loaded (undefined when absent or not loaded). */
  get(s: number, path: string): DirListing | undefined {
    return this.loaded.get(`${s}\0${path}`);
  }

  /** Read a (layer, dir) pair once; concurrent callers share the read. */
  load(s: number, path: string): Promise<DirListing | undefined> {
    const key = `${s}\0${path}`;
    let p = this.loading.get(key);
    if (!p) {
      p = this.stack.scan(s, path, { xattrs: true }).then((listing) => {
        this.loaded.set(key, listing);
        return listing;
      });
      this.loading.set(key, p);
    }
    return p;
  }

  /** Read every (layer, dir) pair, concurrently. */
  async fill(pairs: DirSource[]): Promise<void> {
    await Promise.all(pairs.map((p) => this.load(p.s, p.path)));
  }

  /** Examine `names` of a light listing in full and attach the records to it. */
  async detail(listing: LightListing, names: string[]): Promise<void> {
    try {
      listing.attach(await binding().scanNamesAsync(listing.dirPath, names, { xattrPrefix: this.stack.xattrPrefix }));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return; // the dir went away meanwhile
      throw fromNative(e, ListingCache.prototype.detail);
    }
  }
}
