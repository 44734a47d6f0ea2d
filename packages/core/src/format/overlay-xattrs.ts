/**
 * The names overlayfs gives its xattrs, and how their values read. The only place in core
 * that spells an overlay xattr name or a whiteout rule; native/src/sys/dir_scan.cc applies
 * the same rules in C++ while it scans (format.test.ts holds the two to each other). No I/O.
 *
 * Kernel: fs/overlayfs/overlayfs.h (OVL_XATTR_*), util.c (ovl_path_is_whiteout,
 * ovl_get_opaquedir_val, ovl_get_redirect_xattr), Documentation/filesystems/overlayfs.rst.
 */
import { isCharDevMode, isRegularMode } from './file-types.js';

/** Where overlay xattrs live: `trusted.overlay.*`, or `user.overlay.*` on mounts with `userxattr`. */
export interface XattrNamespaceOptions {
  /** Use `user.overlay.*` (mounts with `userxattr`) instead of `trusted.overlay.*`. */
  userxattr?: boolean;
}

/** The overlay xattrs ovl reads: the marks that change what is visible, and the kernel's bookkeeping. */
export type OverlayAttr = 'opaque' | 'whiteout' | 'redirect' | 'metacopy' | 'origin' | 'impure' | 'nlink' | 'upper' | 'uuid' | 'protattr';

export type OverlayXattrPrefix = 'trusted.overlay.' | 'user.overlay.';

export function overlayXattrPrefix(opts?: XattrNamespaceOptions): OverlayXattrPrefix {
  return opts?.userxattr ? 'user.overlay.' : 'trusted.overlay.';
}

/** The full name of an overlay xattr, e.g. 'trusted.overlay.opaque'. */
export function overlayXattr(attr: OverlayAttr, opts?: XattrNamespaceOptions): string {
  return `${overlayXattrPrefix(opts)}${attr}`;
}

/** Whether an xattr name is overlayfs' own (either namespace): bookkeeping, never content. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');
}

/**
 * The opaque mark of a dir: 'y' (exactly one byte) hides everything below it; 'x' marks a
 * dir of a lower layer that may hold xattr whiteouts (6.7+) and hides nothing; any other
 * value is no mark at all.
 */
export function opaqueMark(value: Uint8Array | undefined): 'y' | 'x' | undefined {
  if (value === undefined || value.length !== 1) return undefined;
  return value[0] === 0x79 ? 'y' : value[0] === 0x78 ? 'x' : undefined;
}

/** The classic whiteout: a character device 0/0. */
export function isCharWhiteout(mode: number, rdev: number): boolean {
  return isCharDevMode(mode) && rdev === 0;
}

/** The 6.7+ whiteout: a zero-size regular file carrying `overlay.whiteout` (any value). */
export function isXattrWhiteout(mode: number, size: number, hasWhiteoutXattr: boolean): boolean {
  return isRegularMode(mode) && size === 0 && hasWhiteoutXattr;
}

/**
 * Whether the kernel accepts an `overlay.redirect` value (ovl_get_redirect_xattr): an
 * absolute path without empty components ('/a/b'), or a single name ('b', a rename within
 * the same dir). Reading any other value fails the lookup with EINVAL.
 */
export function isValidRedirect(r: string): boolean {
  if (r.startsWith('/')) return r.length > 1 && !r.slice(1).split('/').includes('');
  return r.length > 0 && !r.includes('/');
}
