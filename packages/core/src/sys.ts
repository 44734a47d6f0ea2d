/**
 * The raw syscalls, typed, for scripting (`sys.mount`, `sys.umount2`, `sys.fsopen`, ...):
 * exactly the addon's calls, with one difference — failures become SystemError in Node's
 * format instead of raw addon errors. No policy, no argument rewriting.
 */
import { binding, type NativeBinding } from './binding.js';
import { fromNative } from './errors.js';

export type Sys = NativeBinding;

type AnyFn = (...args: unknown[]) => unknown;

const CALLS = [
  'mount', 'mountAsync', 'umount2', 'umount2Async', 'mknod', 'mknodAsync',
  'lgetxattr', 'lgetxattrAsync', 'lsetxattr', 'lsetxattrAsync', 'llistxattr', 'llistxattrAsync', 'lremovexattr', 'lremovexattrAsync',
  'fsopen', 'fsconfig', 'fsconfigAsync', 'fsmount', 'fsmountAsync', 'moveMount', 'moveMountAsync', 'readFsLog', 'close',
  'fsmountPlan', 'fsmountPlanAsync', 'probePaths', 'probePathsAsync', 'openPaths', 'openPathsAsync', 'listDir', 'listDirAsync',
  'statfs', 'statfsAsync', 'scanDir', 'scanDirAsync', 'scanNames', 'scanNamesAsync', 'scanDirs', 'scanDirsAsync', 'scanNamesMany', 'scanNamesManyAsync',
] as const satisfies ReadonlyArray<Exclude<keyof NativeBinding, 'constants'>>;

function wrapCall(name: (typeof CALLS)[number]): AnyFn {
  const wrapped: AnyFn = (...args) => {
    let result: unknown;
    try {
      result = (binding()[name] as AnyFn)(...args);
    } catch (e) {
      throw fromNative(e, wrapped);
    }
    return result instanceof Promise ? result.catch((e: unknown) => Promise.reject(fromNative(e, wrapped))) : result;
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
