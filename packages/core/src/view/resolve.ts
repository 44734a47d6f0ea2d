/**
 * overlayfs lookup, as data: given the listings of a merged dir's layer dirs, decide for
 * one name what the kernel's lookup (fs/overlayfs/namei.c: ovl_lookup) would show. Pure:
 * all I/O happened before, listings come through `get`.
 *
 * The rules, top-most layer first:
 * - the first entry found is the visible one; a whiteout (char device 0/0, or an empty file
 *   with overlay.whiteout — lookup honours that form in any layer) hides the name and
 *   everything below it;
 * - a visible dir merges with dirs below until an opaque dir ('y'), a non-dir or a whiteout;
 *   its attributes are the top-most dir's;
 * - overlay.redirect on a dir in the chain (or on a metacopy file) moves the lookup for the
 *   layers below: relative = another name in the same parent, absolute = a path from each
 *   lower layer's root (the kernel switches to the root's layer stack, from the current layer
 *   on, and walks the path component by component: ovl_lookup_layer). On that walk a missing
 *   component means nothing in that layer; a whiteout or a non-dir (a symlink too) ends the
 *   whole lookup; an opaque dir lets that layer finish and ends it after;
 * - with redirect_dir=nofollow the kernel refuses a redirected dir (EPERM): it is not visible;
 * - a metacopy file keeps its metadata; its data is the first non-metacopy file below.
 * Lookup, not readdir, is the truth: a name that no lookup can reach (e.g. a whiteout in a
 * lower dir the kernel does not merge, which the kernel's readdir still lists) is not visible.
 */
import type { DirListing } from './listing.js';
import { baseOf, joinPath, parentOf } from './paths.js';

/** One layer's copy of a merged directory: stack index (0 = top) and path inside that layer. */
export interface DirSource {
  s: number;
  path: string;
}

export interface Found {
  s: number;
  listing: DirListing;
  i: number;
  /** Path of the entry inside its layer. */
  path: string;
}

export interface Resolved {
  visible?: Found;
  /** The whiteout that deleted the name (when nothing above it is visible). */
  ghost?: Found;
  /** Stack indices below the visible entry (or the ghost) holding the same name. */
  shadows: number[];
  /** For a visible dir: every layer dir merged into it, top first. */
  dirSources?: DirSource[];
  /** For a visible metacopy file: where its data is. */
  data?: Found;
}

export type ListingLookup = (s: number, dirPath: string) => DirListing | undefined;

/** Where to look next, which changes as redirects are followed. */
interface Cursor {
  sources: DirSource[];
  k: number;
  /** An opaque ancestor on an absolute redirect path was met: no layer after this one. */
  lastLayer: boolean;
  /** Set after an absolute redirect (or a relative one after it): the path in every layer below. */
  abs: string | undefined;
  /** The name to look up in the parent's dirs (changed by a relative redirect). */
  key: string;
}

function follow(cursor: Cursor, redirect: string, fromS: number, rootSources: DirSource[]): void {
  if (redirect.startsWith('/')) {
    cursor.abs = redirect;
    cursor.sources = rootSources;
    const next = rootSources.findIndex((r) => r.s > fromS);
    cursor.k = next < 0 ? rootSources.length : next;
  } else if (cursor.abs !== undefined) {
    cursor.abs = joinPath(parentOf(cursor.abs), redirect);
  } else {
    cursor.key = redirect;
  }
}

type AbsWalk = 'found' | 'absent' | 'stop' | 'found-last';

/** Walk the ancestors of an absolute redirect path inside layer `s` as ovl_lookup_layer does. */
function walkAbsolute(s: number, abs: string, get: ListingLookup): AbsWalk {
  let dir = '/';
  let last = false;
  const parts = abs.split('/').filter((p) => p.length > 0);
  for (const part of parts.slice(0, -1)) {
    const listing = get(s, dir);
    const i = listing ? listing.find(part) : -1;
    if (!listing || i < 0) return 'absent';
    if (listing.isWhiteout(i) || !listing.isDir(i)) return 'stop';
    if (listing.isOpaque(i)) last = true;
    dir = joinPath(dir, part);
  }
  return last ? 'found-last' : 'found';
}

/** Every dir on the way to an absolute redirect target's parent: '/a/b/c' → ['/', '/a', '/a/b']. */
export function redirectAncestors(abs: string): string[] {
  const out = ['/'];
  const parts = abs.split('/').filter((p) => p.length > 0);
  for (let n = 1; n < parts.length; n++) out.push(`/${parts.slice(0, n).join('/')}`);
  return out;
}

/**
 * Resolve `name` in a merged dir whose layer dirs are `sources` (top first).
 * `rootSources` are the root dirs of every layer (for absolute redirects).
 */
export function resolveName(name: string, sources: DirSource[], rootSources: DirSource[], get: ListingLookup, followRedirects = true): Resolved {
  const out: Resolved = { shadows: [] };
  const cursor: Cursor = { sources, k: 0, lastLayer: false, abs: undefined, key: name };
  let merging = false;
  let seekingData = false;

  while (cursor.k < cursor.sources.length && !cursor.lastLayer) {
    const src = cursor.sources[cursor.k++]!;
    if (cursor.abs !== undefined) {
      const walked = walkAbsolute(src.s, cursor.abs, get);
      if (walked === 'stop') break;
      if (walked === 'absent') continue;
      if (walked === 'found-last') cursor.lastLayer = true;
    }
    const dirPath = cursor.abs !== undefined ? parentOf(cursor.abs) : src.path;
    const key = cursor.abs !== undefined ? baseOf(cursor.abs) : cursor.key;
    const listing = get(src.s, dirPath);
    const i = listing ? listing.find(key) : -1;
    if (!listing || i < 0) continue;
    const found: Found = { s: src.s, listing, i, path: joinPath(dirPath, key) };

    const decided = out.visible !== undefined || out.ghost !== undefined;
    // Below the deciding entry only char-device whiteouts end the list of shadows: an xattr
    // whiteout there is an ordinary empty file until examined, and examining every entry
    // below every visible one is what a light read avoids (the kernel never looks there).
    if (decided ? listing.isCharWhiteout(i) : listing.isWhiteout(i)) {
      if (!decided) {
        out.ghost = found;
        continue; // keep going only to list what the whiteout deleted
      }
      break;
    }

    if (!decided) {
      if (!followRedirects && listing.isDir(i) && listing.redirect(i) !== undefined) break; // EPERM in the kernel
      out.visible = found;
      if (listing.isDir(i)) {
        out.dirSources = [{ s: src.s, path: found.path }];
        merging = !listing.isOpaque(i);
      } else if (listing.isRegular(i) && listing.isMetacopy(i)) {
        seekingData = true;
      }
      const r = listing.redirect(i);
      if (r !== undefined && followRedirects && (merging || seekingData)) follow(cursor, r, src.s, rootSources);
      continue;
    }

    out.shadows.push(src.s);
    if (merging) {
      if (listing.isDir(i)) {
        out.dirSources!.push({ s: src.s, path: found.path });
        if (listing.isOpaque(i)) merging = false;
        const r = listing.redirect(i);
        if (r !== undefined && followRedirects && merging) follow(cursor, r, src.s, rootSources);
      } else {
        merging = false; // a dir never merges with a non-dir below it
      }
    } else if (seekingData && listing.isRegular(i)) {
      out.data = found;
      seekingData = listing.isMetacopy(i);
      const r = listing.redirect(i);
      if (r !== undefined && followRedirects && seekingData) follow(cursor, r, src.s, rootSources);
    }
  }
  return out;
}
