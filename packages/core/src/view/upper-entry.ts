/**
 * What one upper-layer path is right now, re-read from disk for every inotify report
 * (the event types are hints at best: the kernel builds whiteouts, copy-ups and opaque dirs
 * in work/work and renames them in, and whiteouts share one inode). Sync on purpose: a
 * batch of events is classified in one go, without a thread-pool hop per name.
 */
import { lstatSync } from 'node:fs';
import { binding } from '../binding.js';
import { isCharWhiteout, isXattrWhiteout, opaqueMark, overlayXattr, type XattrNamespaceOptions } from '../format/overlay-xattrs.js';


export interface UpperState {
  mode: number;
  size: number;
  mtimeMs: number;
  ino: number;
  uid: number;
  gid: number;
  whiteout: boolean;
  opaque: boolean;
  metacopy: boolean;
  /** Every xattr name and value, so that setfattr shows as a metadata change. */
  xattrs: string;
}

function readXattrs(path: string): Map<string, Buffer> {
  const b = binding();
  const out = new Map<string, Buffer>();
  try {
    for (const name of b.llistxattr(path)) {
      try {
        out.set(name, b.lgetxattr(path, name));
      } catch {
        // removed between list and get
      }
    }
  } catch {
    // no xattr support, or the path vanished: no xattrs
  }
  return out;
}

/** The state of `path`, or undefined when it does not exist (any lstat failure counts as gone). */
export function readUpperState(path: string, ns: XattrNamespaceOptions): UpperState | undefined {
  let st;
  try {
    st = lstatSync(path, { throwIfNoEntry: false }); // vanished names are common in a burst: no exception for them
  } catch {
    return undefined;
  }
  if (st === undefined) return undefined;
  const isFileOrDir = st.isFile() || st.isDirectory();
  const xattrs = isFileOrDir ? readXattrs(path) : new Map<string, Buffer>();
  return {
    mode: st.mode,
    size: st.size,
    mtimeMs: st.mtimeMs,
    ino: st.ino,
    uid: st.uid,
    gid: st.gid,
    whiteout: isCharWhiteout(st.mode, st.rdev) || isXattrWhiteout(st.mode, st.size, xattrs.has(overlayXattr('whiteout', ns))),
    opaque: st.isDirectory() && opaqueMark(xattrs.get(overlayXattr('opaque', ns))) === 'y',
    metacopy: st.isFile() && xattrs.has(overlayXattr('metacopy', ns)),
    xattrs: [...xattrs].map(([k, v]) => `${k}=${v.toString('hex')}`).sort().join(','),
  };
}
