/**
 * Overlay marks in layer dirs, made and read on disk (never through a mounted merged dir,
 * where the kernel hides them): whiteouts and opaque dirs. What counts as which is
 * format/overlay-xattrs.ts's rule; this file only does the I/O.
 */
import { lstat } from 'node:fs/promises';
import { binding } from '../binding.js';
import { publicError } from '../errors.js';
import { charDevBits } from '../format/file-types.js';
import { isCharWhiteout, isXattrWhiteout, opaqueMark, overlayXattr, type XattrNamespaceOptions } from '../format/overlay-xattrs.js';

export type { XattrNamespaceOptions };

/** Make a whiteout (character device 0/0, mode 0) at `path` in an upper or lower dir. @throws SystemError (EEXIST, EPERM, ...). */
export async function createWhiteout(path: string): Promise<void> {
  try {
    await binding().mknodAsync(path, charDevBits(), 0, 0);
  } catch (e) {
    throw publicError(e, createWhiteout);
  }
}

/** An xattr's value, or undefined when the entry has none of that name (or no xattrs at all). */
async function xattrValue(path: string, name: string): Promise<Buffer | undefined> {
  try {
    return await binding().lgetxattrAsync(path, name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENODATA' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return undefined;
    throw e;
  }
}

/**
 * Whether `path` is a whiteout in either form: a 0/0 char device, or a zero-size file with
 * `overlay.whiteout` (in `trusted.`, or `user.` with `userxattr` — the namespace the
 * overlay reads, as for isOpaque). A missing path is not a whiteout.
 * @throws SystemError for errors other than ENOENT.
 */
export async function isWhiteout(path: string, opts?: XattrNamespaceOptions): Promise<boolean> {
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw publicError(e, isWhiteout);
  }
  if (isCharWhiteout(st.mode, st.rdev)) return true;
  if (!isXattrWhiteout(st.mode, st.size, true)) return false;
  try {
    return isXattrWhiteout(st.mode, st.size, (await xattrValue(path, overlayXattr('whiteout', opts))) !== undefined);
  } catch (e) {
    throw publicError(e, isWhiteout);
  }
}

/** Mark a dir in an upper (or lower) layer opaque: nothing below it shows through. @throws SystemError. */
export async function setOpaque(dir: string, opts?: XattrNamespaceOptions): Promise<void> {
  try {
    await binding().lsetxattrAsync(dir, overlayXattr('opaque', opts), 'y', 0);
  } catch (e) {
    throw publicError(e, setOpaque);
  }
}

/** Whether `dir` carries `overlay.opaque` = "y" (in `trusted.`, or `user.` with userxattr). @throws SystemError except for a missing attribute. */
export async function isOpaque(dir: string, opts?: XattrNamespaceOptions): Promise<boolean> {
  try {
    return opaqueMark(await xattrValue(dir, overlayXattr('opaque', opts))) === 'y';
  } catch (e) {
    throw publicError(e, isOpaque);
  }
}
