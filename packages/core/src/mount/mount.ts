/**
 * Mounting and unmounting overlays: normalise → shape checks → what the checks need to find,
 * as plain expectations (mount-expectations.ts) → one native call, examineAndMount, that
 * gathers the facts and mounts only if they meet the expectations. Async, that is one
 * thread-pool hop per mount, and one per unmount. When an expectation is not met (a bad spec,
 * or one the expectations are too strict for), the facts come back unmounted: the checks
 * (pure) refuse with the precise error, or accept and a second native call mounts.
 *
 * Before: every layer is opened once (O_PATH) and checked through its fd; those fds are
 * what the kernel mounts (FSCONFIG_SET_FD), so nothing can be swapped in between, and they
 * are closed on every path out.
 * Syscalls, new API (one native call, see native/src/sys/fs_context.cc):
 *   fsopen("overlay") · fsconfig per layer (fd, 6.13+, or `lowerdir+` string, 6.8+) and per
 *   option · FSCONFIG_CMD_CREATE · fsmount(attrs) · fstatvfs (refuse a silently read-only
 *   superblock before anyone sees it) · move_mount.  Nothing to undo on failure: an
 *   unattached mount disappears with its fd.
 * Legacy (one native call, see native/src/sys/legacy_mount.cc): mount(2) with an escaped,
 *   length-checked data string · statfs(target) to verify; on a silently read-only result
 *   the mount is undone with umount2 · statx(target) for the new mount's ids.
 */
import { binding, type ConditionalMount, type ExaminedPaths, type FsMountPlan } from '../binding.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { publicError, OvlError, type SystemError } from '../errors.js';
import { openOverlay } from '../view/open.js';
import type { OverlayView } from '../view/types.js';
import { parseMountInfo } from './mountinfo.js';
import { pageSize, supportsLayerFds, supportsLowerdirPlus } from './kernel-features.js';
import { monotonicMicros } from './kernel-log.js';
import { mountFailure } from './mount-errors.js';
import { checkSpecShape, legacyMountData, legacyMountFlags, MAX_FSCONFIG_STRING, mountAttrs, newApiParams, type LayerChannel } from './options.js';
import { checkProbes, KERNEL_WORK_ENTRIES, type ProbeFacts } from './check-spec.js';
import { examinationOf, factsFrom, layerFds, releaseFacts } from './gather-facts.js';
import { mountExpectations } from './mount-expectations.js';
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
  /**
   * OverlayMount.unmount only: once unmounted, remove what the kernel left in the work dir
   * (its work/ and index/ subdirs), so the work dir is empty again and the upper dir can be
   * handed on as a layer. Anything else in the work dir is left alone.
   */
  cleanWork?: boolean;
}

/**
 * A mounted overlay that knows its own mount (by mount id, the first number of its
 * /proc/self/mountinfo line). `unmount()` unmounts that mount and nothing else: it is a no-op
 * once the mount is gone (unmounted by this handle or by hand), and refuses with
 * ERR_OVL_NOT_OURS when another mount stands in front of the target (ours covered, or gone
 * and replaced). Disposing (`await using`, or `[Symbol.asyncDispose]()` in a `finally` on
 * Node 20) does the same, except that it is quiet when ours is gone and another took its
 * place: there is nothing of ours left to clean up.
 */
export interface OverlayMount {
  readonly target: string;
  /** The spec as mounted: paths absolute. */
  readonly spec: OverlaySpec;
  /** Which API mounted it: the new mount API or mount(2). */
  readonly api: 'new' | 'legacy';
  /** The mount's id in /proc/self/mountinfo. */
  readonly mountId: number;
  /** The overlay as data, from this mount (openOverlay of its target). */
  view(): Promise<OverlayView>;
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
    refuseReadonly: refusesReadonly(spec),
  };
}

/** The mount examineAndMount makes once the expectations hold: the layers it just opened, or mount(2). */
function conditionalMount(p: Prepared): ConditionalMount {
  const { spec } = p;
  if (p.route === 'legacy') {
    return { legacy: { source: 'overlay', target: spec.target, fstype: 'overlay', flags: p.flags, data: p.data, refuseReadonly: refusesReadonly(spec) } };
  }
  return { plan: { fstype: 'overlay', params: newApiParams(spec, p.channel, 'opened'), attrs: mountAttrs(spec, binding().constants), target: spec.target, refuseReadonly: refusesReadonly(spec) } };
}

/** A writable overlay that comes up read-only (the kernel could not use its work dir) is refused. */
function refusesReadonly(spec: NormalizedSpec): boolean {
  return spec.upper !== undefined && !spec.readonly;
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
  /** Set once this handle unmounted its mount, or found it gone. */
  gone = false;
  constructor(
    spec: NormalizedSpec,
    readonly api: 'new' | 'legacy',
    readonly mountId: number,
    /** STATX_MNT_ID_UNIQUE (6.8+): unlike mountId, never given to a later mount. */
    readonly uniqueMountId: number | undefined,
  ) {
    this.target = spec.target;
    this.spec = publicSpec(spec);
  }
  view(): Promise<OverlayView> {
    return openOverlay(this.target);
  }
  unmount(opts?: UnmountOptions): Promise<void> {
    return runAsync(unmountOwnFlow(this, opts, 'unmount'), this.unmount);
  }
  unmountSync(opts?: UnmountOptions): void {
    runSync(unmountOwnFlow(this, opts, 'unmount'), this.unmountSync);
  }
  [Symbol.asyncDispose](): Promise<void> {
    return runAsync(unmountOwnFlow(this, undefined, 'dispose'), this[Symbol.asyncDispose]);
  }
  [Symbol.dispose](): void {
    runSync(unmountOwnFlow(this, undefined, 'dispose'), this[Symbol.dispose]);
  }
}

/** Remove the kernel's leftovers from an unused work dir: work/ (mode 000 when left), index/, incompat/. */
function cleanWorkDir(work: string): void {
  for (const name of KERNEL_WORK_ENTRIES) {
    try {
      rmSync(join(work, name), { recursive: true, force: true });
    } catch (e) {
      throw publicError(e, cleanWorkDir);
    }
  }
}

/** Whether the handle's mount is still on its target, under another one mounted over it. */
function covered(m: MountedOverlay): boolean {
  const stack = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter((e) => e.mountPoint === m.target);
  return stack.slice(0, -1).some((e) => e.mountId === m.mountId);
}

/**
 * Unmount the handle's own mount, in one native call (statx and umount2 back to back, one
 * thread hop): only if the mount in front of the target is ours. Otherwise what stands
 * there decides — the id of the mount in front and of the mount the parent dir is on (the
 * same: nothing is mounted on the target any more).
 */
function* unmountOwnFlow(m: MountedOverlay, opts: UnmountOptions | undefined, how: 'unmount' | 'dispose'): Flow<void> {
  if (m.gone) return;
  const flags = umountFlags(opts);
  // The mountinfo id is reused as soon as a mount is gone: the unique one (6.8+) where known.
  const unique = m.uniqueMountId !== undefined;
  let r;
  try {
    r = yield* call('umountIf', m.target, m.uniqueMountId ?? m.mountId, unique, flags);
  } catch (e) {
    throw publicError(e, unmountOwnFlow, unmountHint);
  }
  if (r.unmounted) {
    m.gone = true;
    if (opts?.cleanWork && m.spec.work !== undefined) cleanWorkDir(m.spec.work);
    return;
  }
  const somethingElseThere = r.targetExists && r.parentId !== 0 && r.frontId !== r.parentId;
  const oursCovered = somethingElseThere && covered(m);
  if (!oursCovered) {
    m.gone = true;
    if (!somethingElseThere || how === 'dispose') return; // ours is gone: nothing left to do
  }
  throw new OvlError('ERR_OVL_NOT_OURS', `ovl: the mount in front of '${m.target}' is not the overlay this handle mounted (mount id ${m.mountId})`, {
    path: m.target,
    hint: oursCovered
      ? `Another mount was made on '${m.target}' over ours: unmount that one first (unmount('${m.target}') unmounts whatever is in front).`
      : `Ours was unmounted and another mount took its place on '${m.target}': it is left alone. unmount('${m.target}') unmounts whatever is mounted there.`,
  });
}

/** Mounting, written once for both entry points (see effects.ts). */
function* mountFlow(input: OverlaySpec): Flow<OverlayMount> {
  const p = prepare(input);
  const exam = examinationOf(p.spec);
  const expect = mountExpectations(p.spec, exam);
  let found: ExaminedPaths;
  if (expect !== undefined) {
    const started = monotonicMicros();
    let r;
    try {
      r = yield* call('examineAndMount', exam.paths, exam.workIndex, exam.listMax, exam.magic, expect, conditionalMount(p));
    } catch (e) {
      throw mountFailure(e, started, p.spec);
    }
    if (r.mounted) return new MountedOverlay(p.spec, p.route, r.mounted.mountId, r.mounted.uniqueMountId);
    found = r;
  } else {
    found = yield* call('examinePaths', exam.paths, exam.workIndex, exam.listMax, exam.magic);
  }
  const facts = factsFrom(exam, found);
  let mountId: number;
  let uniqueMountId: number | undefined;
  try {
    checkProbes(p.spec, facts);
    const started = monotonicMicros();
    try {
      // Each route mounts and verifies in one native call: the new API refuses a read-only
      // result before attaching it, mount(2) right after (and undoes it); both fail alike.
      ({ mountId, uniqueMountId } =
        p.route === 'new'
          ? yield* call('fsmountPlan', planFor(p, facts))
          : yield* call('mountLegacy', 'overlay', p.spec.target, 'overlay', p.flags, p.data, refusesReadonly(p.spec)));
    } catch (e) {
      throw mountFailure(e, started, p.spec);
    }
  } finally {
    releaseFacts(facts);
  }
  return new MountedOverlay(p.spec, p.route, mountId, uniqueMountId);
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
