/**
 * Looking up a few names of one merged dir without reading its layer dirs whole: the way
 * the kernel does it, name by name in each layer (scanNames), not every entry. stat(),
 * statMany() and path resolution use this, so opening /a/b/c under a 100,000-entry root
 * costs a handful of syscalls per layer instead of a 100,000-entry scan.
 *
 * Which names of which layer dirs a lookup needs depends on what it finds (redirects lead
 * elsewhere), so it runs settle.ts's loop: resolve against the names read so far, read
 * every name any lookup missed — per layer dir, in one scanNames — and resolve again.
 */
import { publicError } from '../errors.js';
import type { DirListing } from './listing.js';
import { ABSENT, type LayerStack } from './layer-stack.js';
import { childFrom, type MergedChild } from './merged-dir.js';
import type { DirSource, EntryLookup, EntryRef } from './resolve.js';
import { settle } from './settle.js';

/** The names of one layer dir read so far. */
interface LayerDirNames {
  s: number;
  dir: string;
  /** Every name read (found or not): a name absent from `found` is not in the dir. */
  read: Set<string>;
  found: Map<string, EntryRef>;
  /** Asked this round, not read yet. */
  missing: Set<string>;
  /** The layer has no such dir. */
  absent: boolean;
}

export function lookupChild(stack: LayerStack, dirPath: string, sources: DirSource[], name: string, whiteouts = false): Promise<MergedChild | undefined> {
  return lookupChildren(stack, dirPath, sources, [name], whiteouts).then((found) => found[0]);
}

/**
 * Several names of one merged dir at once: every round resolves the names still open and
 * then reads, per layer dir, every name any of them missed in one scanNames — so a batch of
 * 1,000 changed names in one dir costs a couple of native calls per layer, not thousands.
 */
export async function lookupChildren(stack: LayerStack, dirPath: string, sources: DirSource[], names: readonly string[], whiteouts = false): Promise<Array<MergedChild | undefined>> {
  const dirs = new Map<string, LayerDirNames>();
  let missed = false;
  const entry: EntryLookup = (s, dir, name) => {
    const key = `${s}\0${dir}`;
    let d = dirs.get(key);
    if (!d) dirs.set(key, (d = { s, dir, read: new Set(), found: new Map(), missing: new Set(), absent: false }));
    if (d.absent) return undefined;
    if (!d.read.has(name)) {
      d.missing.add(name);
      missed = true;
      return undefined;
    }
    return d.found.get(name);
  };
  const results = await settle(
    dirPath,
    names.keys(),
    (k) => {
      missed = false;
      const result = childFrom(stack, entry, dirPath, sources, names[k]!, whiteouts);
      return { result, incomplete: missed };
    },
    async () => {
      await Promise.all([...dirs.values()].filter((d) => d.missing.size > 0).map((d) => readNames(stack, d)));
      return [];
    },
  );
  return names.map((_, k) => results.get(k));
}

/** Read the names a round missed in one layer dir (one scanNames). */
async function readNames(stack: LayerStack, d: LayerDirNames): Promise<void> {
  const wanted = [...d.missing];
  d.missing.clear();
  for (const n of wanted) d.read.add(n);
  let listing: DirListing;
  try {
    listing = await stack.scanNames(d.s, d.dir, wanted);
  } catch (e) {
    if (ABSENT.has((e as { code?: string }).code ?? '')) {
      d.absent = true;
      return;
    }
    throw publicError(e, lookupChild);
  }
  for (let i = 0; i < listing.count; i++) d.found.set(listing.name(i), { listing, i });
}
