/**
 * The raw syscalls, typed, for scripting (`sys.mount`, `sys.umount2`, `sys.fsopen`, ...):
 * exactly the addon's calls through the guarded binding (binding.ts) — failures are
 * SystemError in Node's format, TypeError for a refused argument — with stacks that start
 * at the caller. No policy, no argument rewriting.
 */
import { binding, type NativeBinding } from './binding.js';
import { publicError } from './errors.js';

export type Sys = NativeBinding;

type AnyFn = (...args: unknown[]) => unknown;

const CALLS = [
  'mount', 'mountAsync', 'mountLegacy', 'mountLegacyAsync', 'umount2', 'umount2Async', 'umountIf', 'umountIfAsync', 'mknod', 'mknodAsync',
  'lgetxattr', 'lgetxattrAsync', 'lsetxattr', 'lsetxattrAsync', 'llistxattr', 'llistxattrAsync', 'lremovexattr', 'lremovexattrAsync',
  'fsopen', 'fsconfig', 'fsconfigAsync', 'fsmount', 'fsmountAsync', 'moveMount', 'moveMountAsync', 'readFsLog', 'close',
  'openReadLocked', 'openReadLockedAsync',
  'fsmountPlan', 'fsmountPlanAsync', 'probePaths', 'probePathsAsync', 'openPaths', 'openPathsAsync', 'examinePaths', 'examinePathsAsync', 'examineAndMount', 'examineAndMountAsync', 'checkExpectations', 'listDir', 'listDirAsync', 'readBeneath', 'readBeneathAsync', 'statBeneath', 'statBeneathAsync', 'writeBeneath', 'writeBeneathAsync', 'statManyBeneath', 'statManyBeneathAsync', 'readManyBeneath', 'readManyBeneathAsync',
  'statfs', 'statfsAsync', 'scanDir', 'scanDirAsync', 'scanNames', 'scanNamesAsync', 'scanDirs', 'scanDirsAsync', 'scanNamesMany', 'scanNamesManyAsync',
] as const satisfies ReadonlyArray<Exclude<keyof NativeBinding, 'constants'>>;

function wrapCall(name: (typeof CALLS)[number]): AnyFn {
  // Async failures keep the stack the guard captured at the call; sync ones are trimmed here.
  const wrapped: AnyFn = (...args) => {
    try {
      return (binding()[name] as AnyFn)(...args);
    } catch (e) {
      throw publicError(e, wrapped);
    }
  };
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}

function buildSys(): Sys {
  const out: Record<string, unknown> = {};
  for (const name of CALLS) out[name] = wrapCall(name);
  Object.defineProperty(out, 'constants', { get: () => binding().constants, enumerable: true });
  Object.defineProperty(out, 'InotifyWatcher', { get: () => binding().InotifyWatcher, enumerable: true });
  return out as unknown as Sys;
}

/** The raw syscalls and `constants` (MS_*, MNT_*, MOUNT_ATTR_*, S_IF*, XATTR_*, ...). */
export const sys: Sys = buildSys();
