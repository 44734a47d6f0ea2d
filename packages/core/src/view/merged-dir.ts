/**
 * Reading one merged directory: scan its layer dirs (and, for redirected entries, the
 * dirs the redirects point to), resolve every name, and build MergedEntry objects.
 */
import type { DirListing } from './listing.js';
import { typeOfMode } from './listing.js';
import { LayerStack, ListingCache } from './layer-stack.js';
import { baseOf, joinPath } from './paths.js';
import { redirectAncestors, resolveName, type DirSource, type Found, type ListingLookup, type Resolved } from './resolve.js';
import type { MergedEntry } from './types.js';

export interface MergedChild {
  entry: MergedEntry;
  /** For visible dirs: the layer dirs merged into it (what reading it needs). */
  dirSources?: DirSource[];
}

/**
 * Absolute redirects are looked up component by component in every layer below (see
 * resolve.ts): load those dirs the same way — one component at a time, descending only into
 * real dirs — so a symlink or a whiteout on the way is never followed.
 */
async function loadRedirectPaths(stack: LayerStack, cache: ListingCache, sources: DirSource[]): Promise<void> {
  const walks: Array<Promise<void>> = [];
  for (const src of sources) {
    const listing = cache.get(src.s, src.path);
    if (!listing) continue;
    const redirects = listing.scan.redirect;
    for (let i = 0; i < listing.count; i++) {
      const r = redirects[i];
      if (r === undefined || !r.startsWith('/')) continue;
      for (let s = src.s + 1; s < stack.layers.length; s++) walks.push(walkDown(cache, s, redirectAncestors(r)));
    }
  }
  await Promise.all(walks);
}

async function walkDown(cache: ListingCache, s: number, dirs: string[]): Promise<void> {
  for (let d = 0; d < dirs.length; d++) {
    const listing = await cache.load(s, dirs[d]!);
    const next = dirs[d + 1];
    if (!listing || next === undefined) return;
    const i = listing.find(baseOf(next));
    if (i < 0 || listing.isWhiteout(i) || !listing.isDir(i)) return;
  }
}

function entryFrom(stack: LayerStack, dirPath: string, name: string, r: Resolved, f: Found, ghost: boolean): MergedEntry {
  const L: DirListing = f.listing;
  const scan = L.scan;
  const i = f.i;
  const layer = stack.layers[f.s]!.id;
  const shadows = r.shadows.map((s) => stack.layers[s]!.id);
  const metacopy = !ghost && L.isRegular(i) && L.isMetacopy(i);
  const entry: MergedEntry = {
    path: joinPath(dirPath, name),
    name,
    type: ghost ? 'whiteout' : typeOfMode(scan.mode[i]!),
    size: metacopy && r.data ? r.data.listing.scan.size[r.data.i]! : scan.size[i]!,
    mode: scan.mode[i]!,
    mtimeMs: scan.mtimeMs[i]!,
    layer,
    shadows,
    copiedUp: !ghost && layer === 'upper' && shadows.length > 0,
    opaque: !ghost && L.isDir(i) && L.isOpaque(i),
    metacopy,
    sourcePath: stack.abs(f.s, f.path),
    uid: scan.uid[i]!,
    gid: scan.gid[i]!,
    nlink: scan.nlink[i]!,
    ino: scan.ino[i]!,
  };
  const redirect = L.redirect(i);
  if (redirect !== undefined && !ghost) entry.redirect = redirect;
  if (metacopy && r.data) {
    entry.dataLayer = stack.layers[r.data.s]!.id;
    entry.dataPath = stack.abs(r.data.s, r.data.path);
  }
  return entry;
}

/** Listings for a merged dir: its layer dirs, plus the dirs absolute redirects point to. */
async function listingsFor(stack: LayerStack, sources: DirSource[]): Promise<ListingCache> {
  const cache = new ListingCache(stack);
  await cache.fill(sources);
  if (stack.followRedirects) await loadRedirectPaths(stack, cache, sources);
  return cache;
}

/**
 * Every name of the merged dir `dirPath` whose layer dirs are `sources`, sorted by name.
 * Ghosts (deleted names) are included when `whiteouts` is set.
 */
export async function readMergedDir(stack: LayerStack, dirPath: string, sources: DirSource[], whiteouts: boolean): Promise<MergedChild[]> {
  const cache = await listingsFor(stack, sources);
  const names = new Set<string>();
  for (const src of sources) {
    const listing = cache.get(src.s, src.path);
    if (listing) for (const n of listing.scan.names) names.add(n);
  }
  const out: MergedChild[] = [];
  const get: ListingLookup = (s, p) => cache.get(s, p);
  for (const name of [...names].sort()) {
    const child = childFrom(stack, get, dirPath, sources, name, whiteouts);
    if (child) out.push(child);
  }
  return out;
}

/** One name of a merged dir, resolved against listings already read; undefined when not visible (nor a wanted ghost). */
export function childFrom(stack: LayerStack, get: ListingLookup, dirPath: string, sources: DirSource[], name: string, whiteouts: boolean): MergedChild | undefined {
  const r = resolveName(name, sources, stack.rootSources, get, stack.followRedirects);
  if (r.visible) {
    const child: MergedChild = { entry: entryFrom(stack, dirPath, name, r, r.visible, false) };
    if (r.dirSources) child.dirSources = r.dirSources;
    return child;
  }
  if (r.ghost && whiteouts) return { entry: entryFrom(stack, dirPath, name, r, r.ghost, true) };
  return undefined;
}
