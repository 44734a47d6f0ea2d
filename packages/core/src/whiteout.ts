/**
 * On-disk overlay metadata in layer dirs (never through a mounted merged dir, where the
 * kernel hides it):
 * - whiteout: a character device 0/0, or (6.7+) a zero-size regular file carrying
 *   `overlay.whiteout`;
 * - opaque dir: `overlay.opaque` = "y" exactly.
 * The xattrs live in `trusted.overlay.*`, or `user.overlay.*` for `userxattr` mounts.
 */
import { lstat } from 'node:fs/promises';
import { binding } from './binding.js';
import { fromNative } from './errors.js';

export interface XattrNamespaceOptions {
  /** Use `user.overlay.*` (mounts with `userxattr`) instead of `trusted.overlay.*`. */
  userxattr?: boolean;
}

/** The full xattr name of an overlay attribute such as 'opaque'. */
export function overlayXattr(name: string, opts?: XattrNamespaceOptions): string {
  return `${opts?.userxattr ? 'user' : 'trusted'}.overlay.${name}`;
}

/** Make a whiteout (character device 0/0, mode 0) at `path` in an upper or lower dir. @throws SystemError (EEXIST, EPERM, ...). */
export async function createWhiteout(path: string): Promise<void> {
  const b = binding();
  try {
    await b.mknodAsync(path, b.constants.S_IFCHR, 0, 0);
  } catch (e) {
    throw fromNative(e, createWhiteout);
  }
}

async function hasXattr(path: string, name: string): Promise<Buffer | undefined> {
  try {
    return await binding().lgetxattrAsync(path, name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENODATA' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return undefined;
    throw e;
  }
}

/**
 * Whether `path` is a whiteout in either form (0/0 char device, or a zero-size file with
 * `overlay.whiteout` in either namespace). A missing path is not a whiteout.
 * @throws SystemError for errors other than ENOENT.
 */
export async function isWhiteout(path: string): Promise<boolean> {
  try {
    const st = await lstat(path);
    if (st.isCharacterDevice()) return st.rdev === 0;
    if (!st.isFile() || st.size !== 0) return false;
    return (await hasXattr(path, 'trusted.overlay.whiteout')) !== undefined || (await hasXattr(path, 'user.overlay.whiteout')) !== undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    if (e instanceof Error && 'syscall' in e && !('kernelMessages' in e)) throw e; // already a Node fs error
    throw fromNative(e, isWhiteout);
  }
}

/** Mark a dir in an upper (or lower) layer opaque: nothing below it shows through. @throws SystemError. */
export async function setOpaque(dir: string, opts?: XattrNamespaceOptions): Promise<void> {
  try {
    await binding().lsetxattrAsync(dir, overlayXattr('opaque', opts), 'y', 0);
  } catch (e) {
    throw fromNative(e, setOpaque);
  }
}

/** Whether `dir` carries `overlay.opaque` = "y" (in `trusted.`, or `user.` with userxattr). @throws SystemError except for a missing attribute. */
export async function isOpaque(dir: string, opts?: XattrNamespaceOptions): Promise<boolean> {
  try {
    const v = await hasXattr(dir, overlayXattr('opaque', opts));
    return v !== undefined && v.length === 1 && v[0] === 0x79;
  } catch (e) {
    throw fromNative(e, isOpaque);
  }
}
