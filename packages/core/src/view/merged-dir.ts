/**
 * Reading one merged directory: scan its layer dirs (and, for redirected entries, the
 * dirs the redirects point to), resolve every name, and build MergedEntry objects.
 */
import { typeOfMode } from '../format/file-types.js';
import type { DirListing, LightListing } from './listing.js';
import { LayerStack, ListingCache } from './layer-stack.js';
import { mergeNames, type MergedNames } from './merge-names.js';
import { joinPath } from './paths.js';
import { resolveName, type DirSource, type EntryLookup, type Found, type Resolved } from './resolve.js';
import { settle } from './settle.js';
import type { DirNames, LayerId, MergedEntry } from './types.js';

export interface MergedChild {
  entry: MergedEntry;
  /** For visible dirs: the layer dirs merged into it (what reading it needs). */
  dirSources?: DirSource[];
}

/**
 * The MergedEntry of entry `i` of listing `L` (layer `s`, at `layerPath` inside it; undefined:
 * at the entry's merged path). Every entry gets every field, in this order — undefined where it
 * has none — so all entries share one hidden class and code that walks 100,000 of them stays
 * monomorphic (rootEntry in overlay-view.ts builds the one other kind of entry, with the same
 * fields in the same order).
 */
function entryOf(stack: LayerStack, dirPath: string, name: string, s: number, L: DirListing, i: number, layerPath: string | undefined, shadows: LayerId[], data: Found | undefined, ghost: boolean, mergedDir: boolean): MergedEntry {
  const path = joinPath(dirPath, name);
  const scan = L.scanOf(i);
  const j = L.rowOf(i);
  const layer = stack.layers[s]!.id;
  const metacopy = !ghost && L.isRegular(i) && L.isMetacopy(i);
  const withData = metacopy && data !== undefined;
  return {
    path,
    name,
    type: ghost ? 'whiteout' : typeOfMode(scan.mode[j]!),
    size: withData ? data.listing.scanOf(data.i).size[data.listing.rowOf(data.i)]! : scan.size[j]!,
    mode: scan.mode[j]!,
    mtimeMs: scan.mtimeMs[j]!,
    layer,
    shadows,
    copiedUp: !ghost && layer === 'upper' && shadows.length > 0,
    opaque: !ghost && L.isDir(i) && L.isOpaque(i),
    redirect: ghost ? undefined : L.redirect(i),
    metacopy,
    // The entry's path inside its layer is mostly its merged path: one string for both (100,000
    // entries of a big dir: 3 MB less).
    sourcePath: stack.abs(s, layerPath === undefined || layerPath === path ? path : layerPath),
    dataLayer: withData ? stack.layers[data.s]!.id : undefined,
    dataPath: withData ? stack.abs(data.s, data.path) : undefined,
    uid: scan.uid[j]!,
    gid: scan.gid[j]!,
    nlink: mergedDir ? 1 : scan.nlink[j]!, // ovl_getattr: a dir merged from several layers says 1
    ino: scan.ino[j]!,
  };
}

function entryFrom(stack: LayerStack, dirPath: string, name: string, r: Resolved, f: Found, ghost: boolean): MergedEntry {
  const shadows = r.shadows.map((s) => stack.layers[s]!.id);
  return entryOf(stack, dirPath, name, f.s, f.listing, f.i, f.path, shadows, r.data, ghost, !ghost && (r.dirSources?.length ?? 0) > 1);
}

/** The entries of light listings to examine in full, gathered per listing (each entry once). */
class DetailRequests {
  private readonly byListing = new Map<LightListing, { asked: Uint8Array; indices: number[] }>();

  add(listing: LightListing, i: number): void {
    let r = this.byListing.get(listing);
    if (!r) this.byListing.set(listing, (r = { asked: new Uint8Array(listing.count), indices: [] }));
    if (r.asked[i] === 0) {
      r.asked[i] = 1;
      r.indices.push(i);
    }
  }

  /** Examine everything asked for (one native call for all the listings) and attach the records. */
  async run(cache: ListingCache): Promise<void> {
    const all = [...this.byListing].map(([listing, r]) => ({ listing, indices: r.indices }));
    this.byListing.clear();
    await cache.detail(all);
  }
}

/** What only the full record shows and what can change a name's answer: a whiteout, a metacopy file, a redirect. */
function revealsMore(L: DirListing, i: number): boolean {
  return L.isWhiteout(i) || L.isMetacopy(i) || L.redirect(i) !== undefined;
}

/** One merged dir read: entries sorted by name, and for the visible dirs among them their layer dirs. */
export interface MergedDir {
  entries: MergedEntry[];
  /** By index into `entries`: the layer dirs merged into that dir (what reading it needs). */
  dirSources: Map<number, DirSource[]>;
}

/**
 * Reading the merged dir `dirPath` whose layer dirs are `sources`: entries sorted by name,
 * ghosts (deleted names) included when `whiteouts` is set — all at once, or a range of names
 * at a time (so a 100,000-entry dir can show its first screen before the rest is examined).
 *
 * Layer dirs are read light (types only, dirs and char devices complete) and sorted, and
 * their names merged. A name that one layer dir alone holds, as anything but a dir or a char
 * device whiteout, is decided by that entry: the lookup would find nothing else. The other
 * names go through resolveName. Each round the entries that decide a name — the visible one,
 * a metacopy file's data — are examined in full (scanNames); what that reveals may change
 * the answer (an empty file that is an xattr whiteout, a metacopy file, a redirect), so
 * those names are resolved (again) in full.
 */
export class MergedDirReader {
  private constructor(
    private readonly stack: LayerStack,
    private readonly dirPath: string,
    private readonly sources: DirSource[],
    private readonly whiteouts: boolean,
    private readonly cache: ListingCache,
    private readonly listings: Array<LightListing | undefined>,
    private readonly merged: MergedNames,
  ) {}

  /**
   * Read the layer dirs and merge their names. `whole`: the caller will read every name, so
   * the deciding entries are examined in the same native call (a cascade read); otherwise
   * nothing is examined in full yet, and each range examines only its own names.
   */
  static async open(stack: LayerStack, dirPath: string, sources: DirSource[], whiteouts: boolean, whole: boolean): Promise<MergedDirReader> {
    const cache = new ListingCache(stack);
    await cache.fill(sources, whole);
    const listings = sources.map((src) => cache.get(src.s, src.path));
    return new MergedDirReader(stack, dirPath, sources, whiteouts, cache, listings, mergeNames(listings));
  }

  /** How many names the layer dirs hold together (visible entries and ghosts are among them). */
  get nameCount(): number {
    return this.merged.names.length;
  }

  /** Every name, and which are dirs in their top-most layer, before anything is examined. */
  dirNames(): DirNames {
    const { names, top, at } = this.merged;
    const dirs = new Uint8Array(names.length);
    for (let u = 0; u < names.length; u++) if (this.listings[top[u]!]!.isDir(at[u]!)) dirs[u] = 1;
    return { names, dirs };
  }

  /** The entries of names [from, to) in name order. */
  async range(from: number, to: number): Promise<MergedDir> {
    const { stack, dirPath, sources, cache, listings } = this;
    const { names, top, at, shared } = this.merged;
    const requests = new DetailRequests();
    /** Names to resolve from the start: held by several layers, or entries that can change the answer. */
    const first: number[] = [];
    /** Names one layer holds as an entry not examined yet: examined in the first read, resolved only if that reveals more. */
    let single: number[] = [];
    for (let u = from; u < to; u++) {
      const listing = listings[top[u]!]!;
      const i = at[u]!;
      if (shared[u] === 1 || listing.isDir(i) || listing.isCharWhiteout(i)) first.push(u);
      else if (listing.needsDetail(i)) {
        requests.add(listing, i);
        single.push(u);
      } else if (revealsMore(listing, i)) {
        first.push(u); // examined already (a cascade read): an xattr whiteout, a metacopy file, a redirect
      }
    }
    // Redirects lead to dirs not read yet (in layers below, a path component per round):
    // note them, read them all in one call after the round, and resolve those names again.
    const unread = new Map<string, DirSource>();
    let missed = false;
    const entry: EntryLookup = (s, path, name) => {
      const listing = cache.get(s, path);
      if (listing === undefined) {
        if (!cache.has(s, path)) {
          unread.set(`${s}\0${path}`, { s, path });
          missed = true;
        }
        return undefined;
      }
      const i = listing.find(name);
      return i < 0 ? undefined : { listing, i };
    };
    /** Deciding entries sent to be examined this round, and the name each decides. */
    let examined: Array<{ u: number; found: Found }> = [];
    const resolved = await settle(
      dirPath,
      first,
      (u) => {
        missed = false;
        const r = resolveName(names[u]!, sources, stack.rootSources, entry, stack.followRedirects);
        for (const found of [r.visible, r.ghost, r.data]) {
          if (!found || !found.listing.needsDetail(found.i)) continue;
          requests.add(found.listing as LightListing, found.i); // needsDetail is true only for light listings
          examined.push({ u, found });
        }
        return { result: r, incomplete: missed };
      },
      async () => {
        await Promise.all([requests.run(cache), cache.fill([...unread.values()])]);
        unread.clear();
        // What examining showed (an xattr whiteout, a metacopy file, a redirect) can change the answer.
        const again = [...single.filter((u) => revealsMore(listings[top[u]!]!, at[u]!)), ...examined.filter(({ found }) => revealsMore(found.listing, found.i)).map(({ u }) => u)];
        single = [];
        examined = [];
        return again;
      },
    );
    const out: MergedDir = { entries: [], dirSources: new Map() };
    for (let u = from; u < to; u++) {
      const name = names[u]!;
      const r = resolved.get(u);
      if (r === undefined) {
        const k = top[u]!;
        const src = sources[k]!;
        out.entries.push(entryOf(stack, dirPath, name, src.s, listings[k]!, at[u]!, src.path === dirPath ? undefined : joinPath(src.path, name), [], undefined, false, false));
        continue;
      }
      const child = childOf(stack, dirPath, name, r, this.whiteouts);
      if (!child) continue;
      if (child.dirSources) out.dirSources.set(out.entries.length, child.dirSources);
      out.entries.push(child.entry);
    }
    return out;
  }
}

/** The whole merged dir in one go (see MergedDirReader). */
export async function readMergedDir(stack: LayerStack, dirPath: string, sources: DirSource[], whiteouts: boolean): Promise<MergedDir> {
  const reader = await MergedDirReader.open(stack, dirPath, sources, whiteouts, true);
  return reader.range(0, reader.nameCount);
}

function childOf(stack: LayerStack, dirPath: string, name: string, r: Resolved, whiteouts: boolean): MergedChild | undefined {
  if (r.visible) {
    const child: MergedChild = { entry: entryFrom(stack, dirPath, name, r, r.visible, false) };
    if (r.dirSources) child.dirSources = r.dirSources;
    return child;
  }
  if (r.ghost && whiteouts) return { entry: entryFrom(stack, dirPath, name, r, r.ghost, true) };
  return undefined;
}

/** One name of a merged dir, resolved against listings read in full; undefined when not visible (nor a wanted ghost). */
export function childFrom(stack: LayerStack, entry: EntryLookup, dirPath: string, sources: DirSource[], name: string, whiteouts: boolean): MergedChild | undefined {
  return childOf(stack, dirPath, name, resolveName(name, sources, stack.rootSources, entry, stack.followRedirects), whiteouts);
}
