/**
 * What one upper-layer path is right now, re-read from disk for every inotify report
 * (the event types are hints at best: the kernel builds whiteouts, copy-ups and opaque dirs
 * in work/work and renames them in, and whiteouts share one inode). Sync on purpose: a
 * batch of events is classified in one go, without a thread-pool hop per name. Read as
 * root from a layer a container writes: beneath the layer root, never through a symlink.
 */
import { binding } from '../binding.js';
import { isDirMode, isRegularMode } from '../format/file-types.js';
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

/**
 * The state of `rel` in the upper dir `root`, or undefined when it is not there (any failure
 * counts as gone). Looked at beneath the root with no symlinks on the way (native
 * statBeneath), so a dir a container swapped for a symlink can never make the watch describe
 * a host file: one native call for the stat and every xattr.
 */
export function readUpperState(root: string, rel: string, ns: XattrNamespaceOptions): UpperState | undefined {
  let st;
  try {
    st = binding().statBeneath(root, rel);
  } catch {
    return undefined; // gone, or no longer reachable without passing a symlink
  }
  const xattrs = new Map(st.xattrs);
  const isDir = isDirMode(st.mode);
  const isFile = isRegularMode(st.mode);
  return {
    mode: st.mode,
    size: st.size,
    mtimeMs: st.mtimeMs,
    ino: st.ino,
    uid: st.uid,
    gid: st.gid,
    whiteout: isCharWhiteout(st.mode, st.rdevMajor | st.rdevMinor) || isXattrWhiteout(st.mode, st.size, xattrs.has(overlayXattr('whiteout', ns))),
    opaque: isDir && opaqueMark(xattrs.get(overlayXattr('opaque', ns))) === 'y',
    metacopy: isFile && xattrs.has(overlayXattr('metacopy', ns)),
    xattrs: [...xattrs].map(([k, v]) => `${k}=${v.toString('hex')}`).sort().join(','),
  };
}
