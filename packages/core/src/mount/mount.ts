/**
 * Mounting and unmounting overlays: normalise → shape checks → filesystem checks (one
 * native statx batch) → one native call that mounts → cheap verification.
 *
 * Before: every layer is opened once (O_PATH) and checked through its fd; those fds are
 * what the kernel mounts (FSCONFIG_SET_FD), so nothing can be swapped in between, and they
 * are closed on every path out.
 * Syscalls, new API (one native call, see native/src/sys/fs_context.cc):
 *   fsopen("overlay") · fsconfig per layer (fd, 6.13+, or `lowerdir+` string, 6.8+) and per
 *   option · FSCONFIG_CMD_CREATE · fsmount(attrs) · fstatvfs (refuse a silently read-only
 *   superblock before anyone sees it) · move_mount.  Nothing to undo on failure: an
 *   unattached mount disappears with its fd.
 * Legacy: mount(2) with an escaped, length-checked data string · statfs(target) to verify;
 *   on a silently read-only result the mount is undone with umount2.
 */
import { binding, type FsMountPlan } from '../binding.js';
import { publicError, OvlError, type SystemError } from '../errors.js';
import { pageSize, supportsLayerFds, supportsLowerdirPlus } from './kernel-features.js';
import { monotonicMicros } from './kernel-log.js';
import { mountFailure, readonlyMount } from './mount-errors.js';
import { checkSpecShape, legacyMountData, legacyMountFlags, MAX_FSCONFIG_STRING, mountAttrs, newApiParams, type LayerChannel } from './options.js';
import { checkProbes, type ProbeFacts } from './check-spec.js';
import { gatherFacts, layerFds, releaseFacts } from './gather-facts.js';
import { call, runAsync, runSync, type Flow } from './effects.js';
import { layerPaths, normalizeSpec, type NormalizedSpec, type OverlaySpec } from './spec.js';

export interface UnmountOptions {
  /** MNT_DETACH: detach now, let the kernel finish once nothing uses it. */
  detach?: boolean;
  /** MNT_FORCE. */
  force?: boolean;
  /** MNT_EXPIRE: mark for expiry; a second call unmounts if unused since (EAGAIN on the first). */
  expire?: boolean;
  /** UMOUNT_NOFOLLOW: do not follow a symlink at the target. */
  noFollow?: boolean;
}

/** A mounted overlay. `await using m = await mountOverlay(...)` unmounts at scope exit. */
export interface OverlayMount {
  readonly target: string;
  /** The spec as mounted: paths absolute. */
  readonly spec: OverlaySpec;
  unmount(opts?: UnmountOptions): Promise<void>;
  unmountSync(opts?: UnmountOptions): void;
  [Symbol.asyncDispose](): Promise<void>;
  [Symbol.dispose](): void;
}

type Prepared =
  | { spec: NormalizedSpec; route: 'new'; channel: LayerChannel }
  | { spec: NormalizedSpec; route: 'legacy'; data: string; flags: number };

function allPathsFitStrings(spec: NormalizedSpec): boolean {
  return layerPaths(spec).every(({ path }) => Buffer.byteLength(path) <= MAX_FSCONFIG_STRING);
}

/** Decide how to talk to the kernel and build exactly what will be sent. No I/O. */
function prepare(input: OverlaySpec): Prepared {
  const spec = normalizeSpec(input);
  checkSpecShape(spec);
  const c = binding().constants;
  const useNew =
    spec.api === 'new' || (spec.api === 'auto' && (supportsLayerFds() || (supportsLowerdirPlus() && allPathsFitStrings(spec))));
  if (!useNew) return { spec, route: 'legacy', data: legacyMountData(spec, pageSize()), flags: legacyMountFlags(spec, c) };
  const channel: LayerChannel = supportsLayerFds() ? 'fd' : 'string';
  newApiParams(spec, channel); // refuses now what could not be sent, before anything is opened
  return { spec, route: 'new', channel };
}

/** The one native call for the new API, mounting the very fds the checks looked at. */
function planFor(p: Prepared & { route: 'new' }, facts: ProbeFacts): FsMountPlan {
  const { spec } = p;
  return {
    fstype: 'overlay',
    params: newApiParams(spec, p.channel, layerFds(facts)),
    attrs: mountAttrs(spec, binding().constants),
    target: spec.target,
    refuseReadonly: spec.upper !== undefined && !spec.readonly,
  };
}

function publicSpec(spec: NormalizedSpec): OverlaySpec {
  const out: OverlaySpec = { lower: [...spec.lower], target: spec.target, api: spec.api, options: { ...spec.options } };
  if (spec.data.length > 0) out.data = [...spec.data];
  if (spec.upper !== undefined) out.upper = spec.upper;
  if (spec.work !== undefined) out.work = spec.work;
  if (spec.readonly) out.readonly = true;
  if (spec.nosuid) out.nosuid = true;
  if (spec.nodev) out.nodev = true;
  if (spec.noexec) out.noexec = true;
  return out;
}

class MountedOverlay implements OverlayMount {
  readonly target: string;
  readonly spec: OverlaySpec;
  constructor(spec: NormalizedSpec) {
    this.target = spec.target;
    this.spec = publicSpec(spec);
  }
  unmount(opts?: UnmountOptions): Promise<void> {
    return unmount(this.target, opts);
  }
  unmountSync(opts?: UnmountOptions): void {
    unmountSync(this.target, opts);
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.unmount();
  }
  [Symbol.dispose](): void {
    this.unmountSync();
  }
}

/** A legacy mount(2) cannot be checked before it is attached: whether it came up read-only though it should not. */
function legacyCameUpReadonly(p: Prepared & { route: 'legacy' }, flags: number): boolean {
  return p.spec.upper !== undefined && !p.spec.readonly && (flags & binding().constants.ST_RDONLY) !== 0;
}

/** Mounting, written once for both entry points (see effects.ts). */
function* mountFlow(input: OverlaySpec): Flow<OverlayMount> {
  const p = prepare(input);
  const facts = yield* gatherFacts(p.spec);
  try {
    checkProbes(p.spec, facts);
    const started = monotonicMicros();
    try {
      if (p.route === 'new') yield* call('fsmountPlan', planFor(p, facts));
      else yield* call('mount', 'overlay', p.spec.target, 'overlay', p.flags, p.data);
    } catch (e) {
      throw mountFailure(e, started, p.spec);
    }
    // The new API refuses a read-only result before attaching it (fsmountPlan's verify step);
    // a legacy mount is looked at right after, and undone: both fail the same way.
    if (p.route === 'legacy' && legacyCameUpReadonly(p, (yield* call('statfs', p.spec.target)).flags)) {
      yield* call('umount2', p.spec.target, 0);
      throw mountFailure(readonlyMount('mount', p.spec), started, p.spec);
    }
  } finally {
    releaseFacts(facts);
  }
  return new MountedOverlay(p.spec);
}

/**
 * Mount an overlay without spawning a process; blocks the calling thread.
 * @throws OvlError (ERR_OVL_*) for a spec refused before any syscall; SystemError when the kernel refuses.
 */
export function mountOverlaySync(spec: OverlaySpec): OverlayMount {
  return runSync(mountFlow(spec), mountOverlaySync);
}

/**
 * Mount an overlay without spawning a process; the syscalls run on the thread pool.
 * @throws OvlError (ERR_OVL_*) for a spec refused before any syscall; SystemError when the kernel refuses.
 */
export function mountOverlay(spec: OverlaySpec): Promise<OverlayMount> {
  return runAsync(mountFlow(spec), mountOverlay);
}

function umountFlags(opts: UnmountOptions | undefined): number {
  const c = binding().constants;
  if (opts === undefined) return 0;
  if (typeof opts !== 'object' || opts === null) throw new TypeError('The "opts" argument must be an object.');
  return (opts.detach ? c.MNT_DETACH : 0) | (opts.force ? c.MNT_FORCE : 0) | (opts.expire ? c.MNT_EXPIRE : 0) | (opts.noFollow ? c.UMOUNT_NOFOLLOW : 0);
}

function unmountHint(err: SystemError): string | undefined {
  switch (err.code) {
    case 'EBUSY':
      return `'${err.path ?? '?'}' is busy: a process has a file open or its working directory in it. Close those, or unmount with { detach: true } to detach it now and let the kernel finish when it is no longer used.`;
    case 'EINVAL':
      return `'${err.path ?? '?'}' is not a mount point (or the flags do not go together).`;
    case 'EAGAIN':
      return 'With { expire: true } the first call only marks the mount; call again to unmount it if it stayed unused.';
    default:
      return undefined;
  }
}

function targetPath(target: string): string {
  if (typeof target !== 'string' || target.length === 0) throw new TypeError('The "target" argument must be a non-empty string path.');
  if (target.includes('\0')) {
    throw new OvlError('ERR_OVL_NUL_BYTE', `ovl: target contains a NUL byte: ${JSON.stringify(target)}`, { path: target, hint: 'Remove the NUL byte.' });
  }
  return normalizeSpec({ lower: [], target }).target;
}

function* unmountFlow(target: string, opts: UnmountOptions | undefined): Flow<void> {
  const path = targetPath(target);
  const flags = umountFlags(opts);
  try {
    yield* call('umount2', path, flags);
  } catch (e) {
    throw publicError(e, unmountFlow, unmountHint);
  }
}

/** Unmount whatever is mounted on `target` (umount2). @throws SystemError (EBUSY with a hint about `detach`). */
export function unmount(target: string, opts?: UnmountOptions): Promise<void> {
  return runAsync(unmountFlow(target, opts), unmount);
}

/** Unmount, blocking the calling thread. @throws SystemError (EBUSY with a hint about `detach`). */
export function unmountSync(target: string, opts?: UnmountOptions): void {
  runSync(unmountFlow(target, opts), unmountSync);
}
