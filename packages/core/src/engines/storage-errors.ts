/**
 * The errors every engine reader gives about the engine's own storage: a store that is not
 * there is empty (no error); one that is there but not readable, or whose metadata is not
 * whole, is a coded OvlError naming the path, so that "no containers" never hides "not
 * allowed to look" or "half-written".
 */
import { OvlError } from '../errors.js';

/** errno code of a Node fs error or a SystemError. */
function codeOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

/** The path does not exist (ENOENT, or a path component is not a dir). */
export function isMissing(e: unknown): boolean {
  const code = codeOf(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The error is the kernel refusing us (EACCES, EPERM). */
export function isDenied(e: unknown): boolean {
  const code = codeOf(e);
  return code === 'EACCES' || code === 'EPERM';
}

/** ERR_OVL_STORAGE_UNREADABLE for `path` of `engine`'s storage. */
export function unreadable(engine: string, path: string, e: unknown): OvlError {
  return new OvlError('ERR_OVL_STORAGE_UNREADABLE', `ovl: ${engine} storage '${path}' is there but cannot be read (${codeOf(e) ?? String(e)})`, {
    path,
    hint: `Reading ${engine}'s storage needs root (or the user owning a rootless store): run as root, or pass the store you can read in roots.`,
  });
}

/** ERR_OVL_ENGINE_METADATA: `file` is corrupt or half-written. */
export function corrupt(engine: string, file: string, reason: string): OvlError {
  return new OvlError('ERR_OVL_ENGINE_METADATA', `ovl: ${engine} metadata '${file}' is corrupt or half-written: ${reason}`, {
    path: file,
    hint: `Nothing was changed. If ${engine} itself can still read it, report this; otherwise ${engine}'s own repair tools apply.`,
  });
}

/**
 * Map a failure reading `path` to the public error: denied → ERR_OVL_STORAGE_UNREADABLE;
 * an OvlError or anything else passes through unchanged.
 */
export function storageError(engine: string, path: string, e: unknown): unknown {
  if (e instanceof OvlError) return e;
  if (isDenied(e)) return unreadable(engine, (e as { path?: string }).path ?? path, e);
  return e;
}
