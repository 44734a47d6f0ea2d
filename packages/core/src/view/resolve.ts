/**
 * overlayfs lookup, as data: given the listings of a merged dir's layer dirs, decide for
 * one name what the kernel's lookup (fs/overlayfs/namei.c: ovl_lookup) would show. Pure:
 * all I/O happens elsewhere: entries come through `entry` (EntryLookup).
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
 *   so is a name whose lookup reads a malformed redirect (EINVAL);
 * - a metacopy file keeps its metadata; its data is the first non-metacopy file below.
 * Lookup, not readdir, is the truth: a name that no lookup can reach (e.g. a whiteout in a
 * lower dir the kernel does not merge, which the kernel's readdir still lists) is not visible.
 */
import { isValidRedirect } from '../format/overlay-xattrs.js';
import type { DirListing } from './listing.js';
import { baseOf, components, joinPath } from './paths.js';

/** One layer's copy of a merged directory: stack index (0 = top) and path inside that layer. */
export interface DirSource {
  s: number;
  path: string;
}

/** One entry of a layer dir: its listing and its row there. */
export interface EntryRef {
  listing: DirListing;
  i: number;
}

/** An entry the lookup found: which layer, where in it, and its row in that layer dir's listing. */
export interface Found extends EntryRef {
  s: number;
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

/**
 * The entry `name` in layer `s`'s dir `dirPath`, or undefined when that dir has no such
 * entry. Readers that have not read it yet answer undefined too, note what was asked, read
 * it, and resolve again (settle.ts): resolveName itself does no I/O.
 */
export type EntryLookup = (s: number, dirPath: string, name: string) => EntryRef | undefined;

/** What the lookup is looking for, and where: the kernel's struct ovl_lookup_data plus its layer cursor. */
interface Lookup {
  /** The layer dirs still to visit (the parent's, or every layer's root after an absolute redirect). */
  sources: DirSource[];
  k: number;
  /** The name to find in each source's dir, while no absolute redirect was met. */
  key: string;
  /** After an absolute redirect: the path looked up from each layer's root, component by component. */
  abs: string | undefined;
  /** The kernel's d->stop: no layer after the current one is looked at (for the visible entry). */
  stop: boolean;
}

/**
 * Apply a redirect found on a dir (or a metacopy file) in layer `s` to the lookup, as
 * ovl_check_redirect does. `prefix`/`post` are the components of the current absolute path
 * before and after that entry (both empty for a relative lookup): an absolute redirect
 * replaces the prefix and the entry, a relative one only the entry; `post` is kept. An
 * absolute redirect resets the stop an opaque ancestor set, and moves the lookup to the
 * roots of the layers below `s`.
 */
function redirectTo(q: Lookup, r: string, prefix: string[], post: string[], s: number, rootSources: DirSource[]): void {
  if (r.startsWith('/')) {
    q.abs = joinPath(r, post.join('/')).replace(/\/$/, '');
    q.stop = false;
    if (q.sources !== rootSources) {
      q.sources = rootSources;
      const next = rootSources.findIndex((src) => src.s > s);
      q.k = next < 0 ? rootSources.length : next;
    }
  } else if (q.abs !== undefined) {
    q.abs = `/${[...prefix, r, ...post].join('/')}`;
  } else {
    q.key = r;
  }
}

/**
 * Walk the ancestors of the absolute path `q.abs` inside layer `s` (ovl_lookup_layer →
 * ovl_lookup_single on every component). A missing component: nothing in this layer. A
 * whiteout or a non-dir (a symlink too) on the way: the whole lookup ends. Each dir on the
 * way is checked as the last one is — unless this is the bottom layer (`last`, the kernel's
 * d->last) or redirects are not followed: an opaque one sets stop (the layers below are not
 * looked at); one with a redirect rewrites the path for the rest of the walk's components
 * and for every layer below, while the walk in this layer goes on along the old path.
 */
function walkAbsolute(s: number, q: Lookup, entry: EntryLookup, checks: boolean, rootSources: DirSource[]): string | 'absent' | 'stop' | 'refused' {
  const parts = components(q.abs!);
  let dir = '/';
  for (let n = 0; n < parts.length - 1; n++) {
    const e = entry(s, dir, parts[n]!);
    if (e === undefined) return 'absent';
    const { listing, i } = e;
    if (listing.isWhiteout(i) || !listing.isDir(i)) return 'stop';
    dir = joinPath(dir, parts[n]!);
    if (listing.isOpaque(i)) {
      q.stop = true; // nothing below this layer holds the path (when listing shadows, too)
      continue; // an opaque dir's redirect is never read
    }
    if (!checks) continue;
    const r = listing.redirect(i);
    if (r !== undefined) {
      if (!isValidRedirect(r)) return 'refused';
      // The path may have been rewritten before: the components after this one are its tail.
      const now = components(q.abs!);
      const post = now.slice(now.length - (parts.length - 1 - n));
      redirectTo(q, r, now.slice(0, now.length - post.length - 1), post, s, rootSources);
    }
  }
  return dir;
}

/**
 * Resolve `name` in a merged dir whose layer dirs are `sources` (top first).
 * `rootSources` are the root dirs of every layer (for absolute redirects).
 *
 * One pass over the layers does two jobs: while the kernel's lookup is still going (nothing
 * decided yet, a dir still merging, a metacopy file still seeking its data) each layer is
 * looked at as ovl_lookup does; after that, the layers below are visited only to list the
 * shadows (the same path held lower down), physically, without following anything.
 */
export function resolveName(name: string, sources: DirSource[], rootSources: DirSource[], entry: EntryLookup, followRedirects = true): Resolved {
  const out: Resolved = { shadows: [] };
  const q: Lookup = { sources, k: 0, key: name, abs: undefined, stop: false };
  const bottom = rootSources.at(-1)?.s;
  let merging = false;
  let seekingData = false;

  while (q.k < q.sources.length) {
    const src = q.sources[q.k++]!;
    const decided = out.visible !== undefined || out.ghost !== undefined;
    const active = !decided || merging || seekingData;
    // The kernel's d->last: no opaque or redirect check in the last layer it can visit.
    const last = followRedirects ? src.s === bottom : q.k === q.sources.length;
    const checks = active && followRedirects && !last;

    let dirPath = src.path;
    let key = q.key;
    /** Components of the current path before the entry (what a relative redirect on it keeps). */
    let prefix: string[] = [];
    if (q.abs !== undefined) {
      const walked = walkAbsolute(src.s, q, entry, checks, rootSources);
      if (walked === 'refused') return { shadows: [] };
      if (walked === 'stop') break;
      if (walked === 'absent') {
        if (q.stop) break;
        continue;
      }
      dirPath = walked;
      // A rewrite on the way keeps the last component: the same name is looked up here.
      key = baseOf(q.abs);
      prefix = components(q.abs).slice(0, -1);
    }
    const e = entry(src.s, dirPath, key);
    if (e === undefined) {
      if (q.stop) break;
      continue;
    }
    const { listing, i } = e;
    const found: Found = { s: src.s, listing, i, path: joinPath(dirPath, key) };

    // Below the deciding entry only char-device whiteouts end the list of shadows: an xattr
    // whiteout there is an ordinary empty file until examined, and examining every entry
    // below every visible one is what a light read avoids (the kernel never looks there).
    if (decided ? listing.isCharWhiteout(i) : listing.isWhiteout(i)) {
      if (decided) break;
      out.ghost = found; // the kernel stops here; the layers below are visited to list what it deleted
      continue;
    }
    if (decided) out.shadows.push(src.s);

    if (!active) {
      if (q.stop) break; // an opaque ancestor on the way: nothing below holds the same path
      continue;
    }
    const redirect = checks ? listing.redirect(i) : undefined;
    if (!decided) {
      if (!followRedirects && listing.isDir(i) && listing.redirect(i) !== undefined) break; // EPERM in the kernel
      out.visible = found;
      if (listing.isDir(i)) {
        out.dirSources = [{ s: src.s, path: found.path }];
        merging = !listing.isOpaque(i);
      } else if (listing.isRegular(i) && listing.isMetacopy(i)) {
        seekingData = true;
      }
    } else if (merging) {
      if (listing.isDir(i)) {
        out.dirSources!.push({ s: src.s, path: found.path });
        if (listing.isOpaque(i)) merging = false;
      } else {
        merging = false; // a dir never merges with a non-dir below it
      }
    } else if (listing.isRegular(i)) {
      out.data = found;
      seekingData = listing.isMetacopy(i);
    } else {
      seekingData = false; // a metacopy file's data is a regular file or nothing
    }
    // A dir still merging or a metacopy file still seeking data follows its redirect (an
    // opaque dir's is never read); an absolute one lifts the stop an opaque ancestor set.
    if ((merging || seekingData) && redirect !== undefined) {
      if (!isValidRedirect(redirect)) return { shadows: [] }; // the lookup fails: nothing to show
      redirectTo(q, redirect, prefix, [], src.s, rootSources);
    }
    if (q.stop) merging = seekingData = false;
  }
  return out;
}
