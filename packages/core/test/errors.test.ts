/**
 * Error shaping with an injected fake binding: runs anywhere, no root, no addon calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { injectBinding, type NativeBinding } from '../src/binding.js';
import { mountOverlaySync, mountOverlay, unmount, unmountSync, sys, SystemError, OvlError } from '../src/index.js';
import { fromNative } from '../src/errors.js';

function nativeError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error('raw addon message'), { kernelMessages: [], ...fields });
}

const constants = {
  MNT_DETACH: 2, MNT_FORCE: 1, MNT_EXPIRE: 4, UMOUNT_NOFOLLOW: 8, MOUNT_ATTR_RDONLY: 1, MOUNT_ATTR_NOSUID: 2, MOUNT_ATTR_NODEV: 4,
  MOUNT_ATTR_NOEXEC: 8, MS_RDONLY: 1, MS_NOSUID: 2, MS_NODEV: 4, MS_NOEXEC: 8, ST_RDONLY: 1, S_IFCHR: 0o20000, PAGE_SIZE: 4096,
  OVERLAYFS_SUPER_MAGIC: 0x794c7630,
};
const dirProbe = { errno: 0, mode: 0o40755, devMajor: 8, devMinor: 1, mountId: 7, isSymlink: false };

/** A binding whose path probes describe a valid layout, and whose mount calls fail as told. */
function fakeBinding(fail: Error): NativeBinding {
  let ino = 0n;
  const probe = (paths: string[]) => paths.map((p, i) => ({ ...dirProbe, ino: ++ino, realpath: p, fd: 100 + i }));
  return {
    constants,
    examinePaths: (paths: string[]) => ({ probes: probe(paths), listing: [], mounts: [] }),
    examinePathsAsync: async (paths: string[]) => ({ probes: probe(paths), listing: [], mounts: [] }),
    close: () => undefined,
    // The one-call route: the expectations are taken as met, and the mount fails as told.
    examineAndMount: () => { throw fail; },
    examineAndMountAsync: async () => { throw fail; },
    fsmountPlan: () => { throw fail; },
    fsmountPlanAsync: async () => { throw fail; },
    mount: () => { throw fail; },
    umount2: () => { throw fail; },
    umount2Async: async () => { throw fail; },
    lgetxattr: () => { throw fail; },
  } as unknown as NativeBinding;
}

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const spec = { lower: ['/l1'], upper: '/x/up', work: '/x/work', target: '/m', api: 'new' as const };

describe('errors in Node format', () => {
  it('formats an fsconfig failure like Node: code, description, syscall, key, path', () => {
    restore = injectBinding(fakeBinding(nativeError({ errno: 22, code: 'EINVAL', syscall: 'fsconfig', step: 'fsconfig', key: 'upperdir', path: '/x/up', kernelMessages: ['e overlay: upperdir is not a directory'] })));
    let err: unknown;
    try {
      mountOverlaySync(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SystemError);
    const e = err as SystemError;
    expect(e.message).toBe("EINVAL: invalid argument, fsconfig 'upperdir' '/x/up'");
    expect(e).toMatchObject({ code: 'EINVAL', errno: -22, syscall: 'fsconfig', path: '/x/up', key: 'upperdir', step: 'fsconfig' });
    expect(e.kernelMessages[0]).toBe('upperdir is not a directory'); // the words, without the log's prefix
    expect(e.hint).toBe('The kernel says: upperdir is not a directory');
    // The stack starts at the public function, not inside core.
    expect(e.stack!.split('\n')[1]).not.toMatch(/src\/(mount|errors)\.ts/);
  });

  it('rejects the async form with the same shape', async () => {
    restore = injectBinding(fakeBinding(nativeError({ errno: 30, code: 'EROFS', syscall: 'fstatvfs', step: 'verify' })));
    const e = await mountOverlay(spec).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SystemError);
    expect(e).toMatchObject({ code: 'EROFS', errno: -30, step: 'verify', syscall: 'fsmount', path: '/m' });
    expect((e as SystemError).hint).toMatch(/read-only.*not left mounted/);
    // After the thread-pool hop the caller is off the stack: the stack is the call site's.
    expect((e as Error).stack).toContain('errors.test.ts');
    expect((e as Error).stack!.split('\n')[0]).toBe("SystemError: EROFS: read-only file system, fsmount '/m'");
  });

  it('gives EBUSY on unmount a hint about detach', async () => {
    restore = injectBinding(fakeBinding(nativeError({ errno: 16, code: 'EBUSY', syscall: 'umount2', path: '/m' })));
    const e = (await unmount('/m').catch((x: unknown) => x)) as SystemError;
    expect(e.message).toBe("EBUSY: resource busy or locked, umount2 '/m'");
    expect(e.hint).toMatch(/detach: true/);
    expect(() => unmountSync('/m')).toThrow(SystemError);
  });

  it('never lets a raw addon error escape: argument errors are TypeErrors, anything else an OvlError', () => {
    restore = injectBinding(fakeBinding(new TypeError('umount2: target must be a string or Buffer, got number')));
    expect(() => unmountSync('/m')).toThrow(TypeError);
    restore();
    restore = injectBinding(fakeBinding(new RangeError('umount2: flags must be a 32-bit integer')));
    expect(() => sys.umount2('/m', 0)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_OUT_OF_RANGE' }));
    restore();
    restore = injectBinding(fakeBinding(new Error('something odd')));
    expect(() => sys.lgetxattr('/x', 'user.a')).toThrow(OvlError);
    expect(() => sys.lgetxattr('/x', 'user.a')).toThrow(/unexpected error from the native addon: something odd/);
  });

  it('wraps raw syscalls in SystemError too', () => {
    restore = injectBinding(fakeBinding(nativeError({ errno: 61, code: 'ENODATA', syscall: 'lgetxattr', path: '/f' })));
    expect(() => sys.lgetxattr('/f', 'user.x')).toThrow(expect.objectContaining({ code: 'ENODATA', errno: -61, path: '/f', syscall: 'lgetxattr' }));
  });

  it('names an unknown errno instead of crashing', () => {
    const e = fromNative(nativeError({ errno: 4000, code: 'E4000', syscall: 'mount' }), it) as SystemError;
    expect(e.message).toBe('E4000: unknown error, mount');
  });
});
