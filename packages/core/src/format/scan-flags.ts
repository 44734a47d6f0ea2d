/**
 * The bits of a native directory scan's `flags` column (DirScan.flags), as the addon
 * exports them: what native/src/sys/dir_scan.cc found on each entry by the rules of
 * overlay-xattrs.ts. Read once, on first use. No I/O.
 */
import { platformConstants } from '../binding.js';

export interface ScanFlags {
  /** A character device 0/0. */
  WHITEOUT_CHARDEV: number;
  /** A zero-size regular file with overlay.whiteout. */
  XATTR_WHITEOUT: number;
  /** overlay.opaque is exactly 'y'. */
  OPAQUE: number;
  /** overlay.opaque is exactly 'x'. */
  OPAQUE_X: number;
  /** overlay.redirect is present (its value is in the scan's `redirect` column). */
  REDIRECT: number;
  /** overlay.metacopy is present. */
  METACOPY: number;
  /** The entry has xattrs of any namespace. */
  HAS_XATTRS: number;
  /** The entry was examined in full (statx and xattrs), not only typed by getdents64. */
  FULL: number;
}

let flags: ScanFlags | undefined;

export function scanFlags(): ScanFlags {
  if (flags === undefined) {
    const c = platformConstants();
    flags = Object.freeze({
      WHITEOUT_CHARDEV: c.SCAN_WHITEOUT_CHARDEV, XATTR_WHITEOUT: c.SCAN_XATTR_WHITEOUT, OPAQUE: c.SCAN_OPAQUE, OPAQUE_X: c.SCAN_OPAQUE_X,
      REDIRECT: c.SCAN_REDIRECT, METACOPY: c.SCAN_METACOPY, HAS_XATTRS: c.SCAN_HAS_XATTRS, FULL: c.SCAN_FULL,
    });
  }
  return flags;
}
