/**
 * Errors shaped like Node's own fs errors (lib/internal/errors.js: `uvException`):
 * `EINVAL: invalid argument, fsconfig 'upperdir' '/x/up'`, with code, errno (negative,
 * as in Node), syscall, path, dest. The addon reports facts; core owns the classes and
 * the words, so no raw addon error ever reaches a user.
 */
import { getSystemErrorMap } from 'node:util';
import type { NativeError } from './binding.js';

let errnoMap: Map<number, [string, string]> | undefined;

function describeErrno(errno: number): { name: string; description: string } {
  errnoMap ??= getSystemErrorMap();
  const entry = errnoMap.get(-Math.abs(errno));
  return entry ? { name: entry[0], description: entry[1] } : { name: `E${Math.abs(errno)}`, description: 'unknown error' };
}

export interface SystemErrorInit {
  errno: number;
  syscall: string;
  code?: string;
  path?: string;
  dest?: string;
  /** The fsconfig key or sequence step, shown between syscall and path like Node shows its context. */
  key?: string;
  step?: string;
  kernelMessages?: string[];
  hint?: string;
}

/** A failed system call, in Node's fs error format, with the kernel's own messages and a plain-English hint. */
export class SystemError extends Error {
  override name = 'SystemError';
  readonly code: string;
  /** Negative errno, as Node's fs errors carry it (e.g. -22 for EINVAL). */
  readonly errno: number;
  readonly syscall: string;
  readonly path?: string;
  readonly dest?: string;
  /** For the new mount API: the fsconfig key that was being set, e.g. 'upperdir'. */
  readonly key?: string;
  /** For a mount sequence: the step that failed ('fsconfig', 'create', 'fsmount', 'verify', 'move_mount', ...). */
  readonly step?: string;
  /** Lines the kernel wrote about this failure (fs_context log, then overlayfs lines of the kernel log). */
  readonly kernelMessages: string[];
  /** What probably went wrong and what to do, in plain English. */
  hint?: string;

  constructor(init: SystemErrorInit) {
    const { name, description } = describeErrno(init.errno);
    const code = init.code ?? name;
    let message = `${code}: ${description}, ${init.syscall}`;
    if (init.key !== undefined) message += ` '${init.key}'`;
    if (init.path !== undefined) message += ` '${init.path}'`;
    if (init.dest !== undefined) message += ` -> '${init.dest}'`;
    super(message);
    this.code = code;
    this.errno = -Math.abs(init.errno);
    this.syscall = init.syscall;
    if (init.path !== undefined) this.path = init.path;
    if (init.dest !== undefined) this.dest = init.dest;
    if (init.key !== undefined) this.key = init.key;
    if (init.step !== undefined) this.step = init.step;
    this.kernelMessages = init.kernelMessages ?? [];
    if (init.hint !== undefined) this.hint = init.hint;
  }
}

/** A refusal by ovl itself (pre-flight checks, verification), before or instead of a syscall. */
export class OvlError extends Error {
  override name = 'OvlError';
  readonly code: `ERR_OVL_${string}`;
  /** The path the refusal is about, when there is one. */
  readonly path?: string;
  /** What to do about it, in plain English. */
  readonly hint?: string;

  constructor(code: `ERR_OVL_${string}`, message: string, details: { path?: string; hint?: string } = {}) {
    super(message);
    this.code = code;
    if (details.path !== undefined) this.path = details.path;
    if (details.hint !== undefined) this.hint = details.hint;
  }
}

/**
 * A kernel message without its source's prefix: the fs_context log's level and filesystem
 * ("e overlay: Bad value for 'xino'") or the kernel log's subsystem ("overlayfs: failed to
 * resolve '/x': -2") — the words alone.
 */
export function cleanKernelMessage(line: string): string {
  return line.replace(/^(?:[ewi] [\w.-]+: |overlay(?:fs)?: )/, '');
}

function isNativeError(e: unknown): e is NativeError {
  return e instanceof Error && typeof (e as Partial<NativeError>).errno === 'number' && typeof (e as Partial<NativeError>).syscall === 'string';
}

/** The three classes that may leave core: a failed syscall, an argument refused, a refusal of ovl's own. */
export function isPublicError(e: unknown): e is SystemError | OvlError | TypeError {
  return e instanceof SystemError || e instanceof OvlError || (e instanceof TypeError && e.constructor === TypeError);
}

/**
 * Turn whatever the addon threw into a public error (binding.ts calls this for every call):
 * a NativeError becomes a SystemError with a generic hint; the addon's argument errors stay
 * TypeErrors (a RangeError — a number out of range — becomes one too, code
 * ERR_OUT_OF_RANGE, so that argument errors are one class); anything else is an OvlError
 * ERR_OVL_INTERNAL. The stack starts at `site`'s caller.
 */
export function fromNative(e: unknown, site: Function): Error {
  let err: Error;
  if (isPublicError(e)) err = e;
  else if (isNativeError(e)) {
    const sys = new SystemError({
      errno: e.errno,
      syscall: e.syscall,
      code: e.code,
      ...(e.path !== undefined && { path: e.path }),
      ...(e.dest !== undefined && { dest: e.dest }),
      ...(e.key !== undefined && { key: e.key }),
      ...(e.step !== undefined && { step: e.step }),
      kernelMessages: (e.kernelMessages ?? []).map(cleanKernelMessage),
    });
    const h = genericHint(sys);
    if (h !== undefined) sys.hint = h;
    err = sys;
  } else if (e instanceof RangeError) {
    err = Object.assign(new TypeError(e.message), { code: 'ERR_OUT_OF_RANGE' });
  } else if (e instanceof TypeError) {
    err = new TypeError(e.message);
  } else {
    err = new OvlError('ERR_OVL_INTERNAL', `ovl: unexpected error from the native addon: ${e instanceof Error ? e.message : String(e)}`);
  }
  Error.captureStackTrace(err, site);
  return err;
}

/**
 * An error as a public function of core throws it: made public if it is not yet (see
 * fromNative), a SystemError given the function's own hint when it has one for it, and the
 * stack trimmed to the function's caller.
 */
export function publicError(e: unknown, publicFn: Function, hint?: (err: SystemError) => string | undefined): Error {
  const err = fromNative(e, publicFn); // the stack starts at publicFn's caller from here on
  if (hint !== undefined && err instanceof SystemError) {
    const h = hint(err);
    if (h !== undefined) err.hint = h;
  }
  return err;
}

function genericHint(err: SystemError): string | undefined {
  switch (err.code) {
    case 'EPERM':
      return 'This needs root (CAP_SYS_ADMIN in the mount namespace); the offline view (openOverlay with layer dirs) works without it.';
    case 'EACCES':
      return `Permission denied on '${err.path ?? '?'}': check the mode of the path and of every directory above it.`;
    case 'ENOENT':
      return err.path !== undefined ? `'${err.path}' does not exist.` : undefined;
    default:
      return undefined;
  }
}
