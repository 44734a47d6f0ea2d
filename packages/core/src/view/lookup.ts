/**
 * Looking up one name in a merged dir without reading its layer dirs whole: the way the
 * kernel does it, a few names per layer (scanNames), not every entry. stat() and path
 * resolution use this, so opening /a/b/c under a 100,000-entry root costs a handful of
 * syscalls per layer instead of a 100,000-entry scan.
 *
 * resolveName (resolve.ts) asks listings for names; which ones depends on what it finds
 * (redirects, absolute redirect paths). So: run it against partial listings that note every
 * name they were asked for and do not know yet, fetch those, and run again until nothing is
 * missing — usually one or two rounds.
 */
import { binding } from '../binding.js';
import { publicError } from '../errors.js';
import { DirListing } from './listing.js';
import type { LayerStack } from './layer-stack.js';
import { childFrom, type MergedChild } from './merged-dir.js';
import type { DirSource } from './resolve.js';

/** A listing that holds only the names fetched so far, and notes the ones it was asked for beyond that. */
class PartialListing extends DirListing {
  constructor(
    scan: ConstructorParameters<typeof DirListing>[0],
    dirPath: string,
    private readonly known: ReadonlySet<string>,
    private readonly missing: Set<string>,
  ) {
    super(scan, dirPath);
  }

  override find(name: string): number {
    if (!this.known.has(name)) this.missing.add(name);
    return super.find(name);
  }
}

const EMPTY_SCAN = { count: 0, names: [], mode: new Uint32Array(0), flags: new Uint8Array(0), redirect: [] } as unknown as ConstructorParameters<typeof DirListing>[0];
/** Every round reads names not read before, so this bounds only a redirect loop (see merged-dir.ts). */
const MAX_ROUNDS = 256;

interface DirState {
  s: number;
  dir: string;
  known: Set<string>;
  missing: Set<string>;
  /** undefined: the dir does not exist in that layer. */
  listing: PartialListing | undefined;
}

export function lookupChild(stack: LayerStack, dirPath: string, sources: DirSource[], name: string, whiteouts = false): Promise<MergedChild | undefined> {
  return lookupChildren(stack, dirPath, sources, [name], whiteouts).then((found) => found[0]);
}

/**
 * Several names of one merged dir at once: every round resolves all of them and then fetches,
 * per layer dir, every name any of them still needs in one scanNames — so a batch of 1,000
 * changed names in one dir costs a couple of native calls per layer, not thousands.
 */
export async function lookupChildren(stack: LayerStack, dirPath: string, sources: DirSource[], names: readonly string[], whiteouts = false): Promise<Array<MergedChild | undefined>> {
  const dirs = new Map<string, DirState>();
  const stateOf = (s: number, dir: string): DirState => {
    const key = `${s}\0${dir}`;
    let st = dirs.get(key);
    if (!st) {
      const known = new Set<string>();
      const missing = new Set<string>();
      st = { s, dir, known, missing, listing: new PartialListing(EMPTY_SCAN, stack.abs(s, dir), known, missing) };
      dirs.set(key, st);
    }
    return st;
  };
  const get = (s: number, dir: string) => stateOf(s, dir).listing;

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const results = names.map((name) => childFrom(stack, get, dirPath, sources, name, whiteouts));
    const todo = [...dirs.values()].filter((d) => d.listing && d.missing.size > 0);
    if (todo.length === 0) return results;
    await Promise.all(todo.map((d) => fetchNames(stack, d)));
  }
  throw new Error(`ovl: looking up ${names.length === 1 ? `'${names[0]}'` : `${names.length} names`} in '${dirPath}' did not settle (redirect loop?)`);
}

async function fetchNames(stack: LayerStack, d: DirState): Promise<void> {
  for (const n of d.missing) d.known.add(n);
  d.missing.clear();
  const path = stack.abs(d.s, d.dir);
  try {
    const scan = await binding().scanNamesAsync(path, [...d.known], { xattrPrefix: stack.xattrPrefix });
    d.listing = new PartialListing(scan, path, d.known, d.missing);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') {
      d.listing = undefined;
      return;
    }
    throw publicError(e, lookupChild);
  }
}
