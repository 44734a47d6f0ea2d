/**
 * Reading one merged directory: scan its layer dirs (and, for redirected entries, the
 * dirs the redirects point to), resolve every name, and build MergedEntry objects.
 */
import { typeOfMode, type DirListing, type LightListing } from './listing.js';
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
    for (let i = 0; i < listing.count; i++) {
      const r = listing.redirect(i);
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
  const i = f.i;
  const { scan, j } = L.record(i);
  const layer = stack.layers[f.s]!.id;
  const shadows = r.shadows.map((s) => stack.layers[s]!.id);
  const metacopy = !ghost && L.isRegular(i) && L.isMetacopy(i);
  const data = metacopy && r.data ? r.data.listing.record(r.data.i) : undefined;
  const entry: MergedEntry = {
    path: joinPath(dirPath, name),
    name,
    type: ghost ? 'whiteout' : typeOfMode(scan.mode[j]!),
    size: data ? data.scan.size[data.j]! : scan.size[j]!,
    mode: scan.mode[j]!,
    mtimeMs: scan.mtimeMs[j]!,
    layer,
    shadows,
    copiedUp: !ghost && layer === 'upper' && shadows.length > 0,
    opaque: !ghost && L.isDir(i) && L.isOpaque(i),
    metacopy,
    sourcePath: stack.abs(f.s, f.path),
    uid: scan.uid[j]!,
    gid: scan.gid[j]!,
    nlink: scan.nlink[j]!,
    ino: scan.ino[j]!,
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

/** Rounds of "resolve, examine what turned out to matter, resolve again" before giving up. */
const MAX_DETAIL_ROUNDS = 8;

/**
 * Every name of the merged dir `dirPath` whose layer dirs are `sources`, sorted by name.
 * Ghosts (deleted names) are included when `whiteouts` is set.
 *
 * Layer dirs are read light (types only, dirs and char devices complete); each round
 * resolves the names still open, and the entries that decide them — the visible one, a
 * metacopy file's data — are then examined in full (scanNames), which may change the answer
 * (an empty file that is an xattr whiteout, a metacopy file), so those names go round again.
 */
export async function readMergedDir(stack: LayerStack, dirPath: string, sources: DirSource[], whiteouts: boolean): Promise<MergedChild[]> {
  const cache = await listingsFor(stack, sources);
  const names = new Set<string>();
  for (const src of sources) {
    const listing = cache.get(src.s, src.path);
    if (listing) for (const n of listing.scan.names) names.add(n);
  }
  const get: ListingLookup = (s, p) => cache.get(s, p);
  const resolved = new Map<string, Resolved>();
  let open = [...names];
  for (let round = 0; open.length > 0; round++) {
    if (round === MAX_DETAIL_ROUNDS) throw new Error(`ovl: reading '${dirPath}' did not settle (redirect loop?)`);
    const wanted = new Map<LightListing, Set<string>>();
    const examined: Array<{ name: string; found: Found }> = [];
    for (const name of open) {
      const r = resolveName(name, sources, stack.rootSources, get, stack.followRedirects);
      resolved.set(name, r);
      for (const f of [r.visible, r.ghost, r.data]) {
        if (!f || !f.listing.needsDetail(f.i)) continue;
        const listing = f.listing as LightListing; // needsDetail is true only for light listings
        const set = wanted.get(listing) ?? new Set<string>();
        set.add(listing.name(f.i));
        wanted.set(listing, set);
        examined.push({ name, found: f });
      }
    }
    await Promise.all([...wanted].map(([listing, set]) => cache.detail(listing, [...set])));
    // Only what the full record reveals can change an answer: a whiteout, a metacopy file, a redirect.
    const again = new Set<string>();
    for (const { name, found } of examined) {
      const L = found.listing;
      if (L.isWhiteout(found.i) || L.isMetacopy(found.i) || L.redirect(found.i) !== undefined) again.add(name);
    }
    // A file examined just now may carry a redirect (a moved metacopy file): load its path.
    if (stack.followRedirects && again.size > 0) await loadRedirectPaths(stack, cache, sources);
    open = [...again];
  }
  const out: MergedChild[] = [];
  for (const name of [...names].sort()) {
    const child = childOf(stack, dirPath, name, resolved.get(name)!, whiteouts);
    if (child) out.push(child);
  }
  return out;
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
export function childFrom(stack: LayerStack, get: ListingLookup, dirPath: string, sources: DirSource[], name: string, whiteouts: boolean): MergedChild | undefined {
  return childOf(stack, dirPath, name, resolveName(name, sources, stack.rootSources, get, stack.followRedirects), whiteouts);
}
