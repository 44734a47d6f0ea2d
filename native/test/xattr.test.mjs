import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  C, catchAsync, catchSync, expectNativeError, isRoot, makeXattrTempDir, native, removeTempDir,
} from './helpers.mjs';

let dir;
let file;
beforeAll(() => {
  dir = makeXattrTempDir();
  file = path.join(dir, 'file');
  fs.writeFileSync(file, 'data');
});
afterAll(() => removeTempDir(dir));

describe('xattrs', () => {
  it('a missing attribute is ENODATA', () => {
    expectNativeError(expect, catchSync(() => native.lgetxattr(file, 'user.absent')), {
      errno: 61, code: 'ENODATA', syscall: 'lgetxattr', path: file, kernelMessages: [],
    });
  });

  it('round trips user.test: set, get, list, remove', () => {
    native.lsetxattr(file, 'user.test', 'hello', 0);
    const value = native.lgetxattr(file, 'user.test');
    expect(Buffer.isBuffer(value)).toBe(true);
    expect(value.toString()).toBe('hello');
    expect(native.llistxattr(file)).toContain('user.test');
    native.lremovexattr(file, 'user.test');
    expect(native.llistxattr(file)).not.toContain('user.test');
    expect(catchSync(() => native.lgetxattr(file, 'user.test')).code).toBe('ENODATA');
  });

  it('keeps binary values exact, including NUL bytes, empty and large values', () => {
    const binary = Buffer.from([0, 1, 2, 255, 0, 128]);
    native.lsetxattr(file, 'user.bin', binary, 0);
    expect(native.lgetxattr(file, 'user.bin').equals(binary)).toBe(true);
    native.lsetxattr(file, 'user.empty', Buffer.alloc(0), 0);
    expect(native.lgetxattr(file, 'user.empty').length).toBe(0);
    const large = Buffer.alloc(3000, 'z');
    native.lsetxattr(file, 'user.large', large, 0);
    expect(native.lgetxattr(file, 'user.large').equals(large)).toBe(true);
  });

  it('honours XATTR_CREATE and XATTR_REPLACE', () => {
    native.lsetxattr(file, 'user.once', 'a', C.XATTR_CREATE);
    expectNativeError(expect, catchSync(() => native.lsetxattr(file, 'user.once', 'b', C.XATTR_CREATE)), {
      code: 'EEXIST', syscall: 'lsetxattr', path: file,
    });
    expect(catchSync(() => native.lsetxattr(file, 'user.never', 'b', C.XATTR_REPLACE)).code).toBe('ENODATA');
  });

  it('does not follow symlinks', () => {
    const link = path.join(dir, 'link');
    fs.symlinkSync('file', link);
    native.lsetxattr(file, 'user.target-only', '1', 0);
    expect(native.llistxattr(link)).not.toContain('user.target-only');
    // user.* is not allowed on symlinks at all.
    expect(catchSync(() => native.lsetxattr(link, 'user.x', '1', 0)).code).toBe('EPERM');
  });

  it('async forms resolve the same values', async () => {
    await native.lsetxattrAsync(file, 'user.async', Buffer.from('v'), 0);
    expect((await native.lgetxattrAsync(file, 'user.async')).toString()).toBe('v');
    expect(await native.llistxattrAsync(file)).toContain('user.async');
    await native.lremovexattrAsync(file, 'user.async');
    const e = await catchAsync(native.lgetxattrAsync(file, 'user.async'));
    expectNativeError(expect, e, { code: 'ENODATA', syscall: 'lgetxattr', path: file });
  });

  it('llistxattr of a missing path throws ENOENT', () => {
    const missing = path.join(dir, 'missing');
    expectNativeError(expect, catchSync(() => native.llistxattr(missing)), {
      code: 'ENOENT', syscall: 'llistxattr', path: missing,
    });
  });

  it.runIf(isRoot)('round trips trusted.* (root)', () => {
    native.lsetxattr(file, 'trusted.overlay.opaque', 'y', 0);
    expect(native.lgetxattr(file, 'trusted.overlay.opaque').toString()).toBe('y');
    expect(native.llistxattr(file)).toContain('trusted.overlay.opaque');
    native.lremovexattr(file, 'trusted.overlay.opaque');
    expect(native.llistxattr(file)).not.toContain('trusted.overlay.opaque');
  });
});
