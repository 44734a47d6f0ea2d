// Error shapes and argument checking, on calls that need no mount.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchAsync, catchSync, expectNativeError, isRoot, makeTempDir, native, removeTempDir } from './helpers.mjs';

const C = native.constants;

let dir;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeTempDir(dir));

describe('NativeError', () => {
  // Without CAP_SYS_ADMIN the kernel refuses before looking at the path.
  const [errno, code, text] = isRoot ? [22, 'EINVAL', 'invalid argument'] : [1, 'EPERM', 'operation not permitted'];

  it(`umount2 of a directory that is not a mount point throws ${code}`, () => {
    const e = catchSync(() => native.umount2(dir, 0));
    expectNativeError(expect, e, { errno, code, syscall: 'umount2', path: dir, kernelMessages: [] });
    expect(e.message).toBe(`${code}: ${text}, umount2 '${dir}'`);
    expect(e).not.toHaveProperty('step');
    expect(e).not.toHaveProperty('dest');
  });

  it('umount2Async rejects with the same error', async () => {
    const sync = catchSync(() => native.umount2(dir, 0));
    const async = await catchAsync(native.umount2Async(dir, 0));
    expect({ ...async, message: async.message }).toEqual({ ...sync, message: sync.message });
  });

  it('reports ENOENT with the path', () => {
    const missing = path.join(dir, 'missing');
    expectNativeError(expect, catchSync(() => native.statfs(missing)), {
      errno: 2, code: 'ENOENT', syscall: 'statfs', path: missing, kernelMessages: [],
    });
  });

  it('passes Buffer paths as exact bytes', () => {
    const name = Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0xe9, 0x41])]);
    fs.writeFileSync(name, '');
    const [probe] = native.probePaths([name], false);
    expect(probe.errno).toBe(0);
    expect(probe.ino).toBe(fs.statSync(name, { bigint: true }).ino);
    // The Latin-1 twin of the same name (UTF-8 'é') is another file.
    expect(native.probePaths([path.join(dir, '\u00e9A')], false)[0].errno).toBe(2);
  });
});

const somewhere = '/nonexistent-ovl-dir';

describe('argument checks', () => {
  it.each([
    ['umount2', [123, 0], /umount2: target must be a string or Buffer, got number/],
    ['umount2', [somewhere, '0'], /umount2: flags must be an integer, got string/],
    ['umount2', [somewhere], /flags must be an integer, got undefined/],
    ['mount', [null, somewhere, 5, 0, null], /fstype must be a string or null/],
    ['mount', [null, null, 'overlay', 0, null], /target must be a string or Buffer, got null/],
    ['mount', [null, somewhere, 'overlay', 0, 42], /data must be a string, Buffer or null/],
    ['lgetxattr', [somewhere, Buffer.from('user.x')], /name must be a string/],
    ['lsetxattr', [somewhere, 'user.x', 1, 0], /value must be a string or Buffer/],
    ['probePaths', ['/tmp', false], /paths must be an array/],
    ['probePaths', [['/tmp', 7], false], /paths\[1\] must be a string or Buffer/],
    ['probePaths', [['/tmp'], 'yes'], /withRealpath must be a boolean/],
    ['listDir', [somewhere, '3'], /max must be an integer/],
    ['readManyBeneath', [somewhere, 'x', 1], /rels must be an array/],
    ['readManyBeneath', [somewhere, ['x', 7], 1], /rels\[1\] must be a string or Buffer/],
    ['readManyBeneath', [7, ['x'], 1], /root must be a string or Buffer/],
    ['readManyBeneath', [somewhere, ['x'], '1'], /maxEach must be/],
    ['mountLegacy', [null, somewhere, 'overlay', 0, null, 'yes'], /mountLegacy: refuseReadonly must be a boolean/],
    ['mountLegacy', [null, somewhere, 'overlay', '0', null, true], /mountLegacy: flags must be an integer/],
    ['examinePaths', [[somewhere], 0, 8, 'x'], /examinePaths: mountsOfType must be/],
    ['fsconfig', [0, 0, 7, null, 0], /key must be a string or null/],
    ['fsmountPlan', [null], /plan must be an object, got null/],
    ['fsmountPlan', [{ fstype: 'overlay', params: {}, attrs: 0, target: somewhere }], /plan.params must be an array/],
    ['fsmountPlan', [{ fstype: 'overlay', params: [], attrs: 0 }], /plan.target must be a string or Buffer/],
    ['fsmountPlan', [{ fstype: 'overlay', params: [{ type: 'nope', key: 'x' }], attrs: 0, target: somewhere }],
      /plan.params\[0\].type must be 'flag', 'string', 'path' or 'fd'/],
    ['fsmountPlan', [{ fstype: 'overlay', params: [{ type: 'path', key: 'lowersomewhere+' }], attrs: 0, target: somewhere }],
      /plan.params\[0\].value must be a string or Buffer, got undefined/],
    ['fsmountPlan', [{ fstype: 'overlay', params: [{ type: 'fd', key: 'uppersomewhere' }], attrs: 0, target: somewhere }],
      /plan.params\[0\].fd must be an integer/],
  ])('%s(%j) throws TypeError', (name, args, message) => {
    const e = catchSync(() => native[name](...args));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(message);
  });

  it('refuses a NUL byte in any path, name or option string (a C string would be cut short there), not in binary values', () => {
    const nul = path.join(dir, 'x\0y');
    const calls = [
      () => native.mknod(nul, C.S_IFCHR, 0, 0),
      () => native.umount2(nul, 0),
      () => native.mount(null, nul, 'overlay', 0, null),
      () => native.mount(null, dir, 'overlay', 0, 'lowerdir=/a\0,upperdir=/etc'),
      () => native.lsetxattr(nul, 'user.x', 'v', 0),
      () => native.lgetxattr(dir, 'user.x\0y'),
      () => native.probePaths([dir, nul], false),
      () => native.scanNames(dir, ['ok', 'x\0y'], { xattrPrefix: 'user.overlay.' }),
      () => native.scanNames(dir, [Buffer.from('x\0y')], { xattrPrefix: 'user.overlay.' }),
      () => native.scanDirs([nul], { xattrPrefix: 'user.overlay.' }),
      () => native.readManyBeneath(dir, ['ok', 'x\0y'], 1),
      () => native.fsconfig(-1, C.FSCONFIG_SET_STRING, 'upperdir', '/a\0/b', 0),
      () => new native.InotifyWatcher(() => {}).add(nul, C.IN_CREATE),
    ];
    for (const call of calls) {
      const e = catchSync(call);
      expect(e, String(call)).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(/without null (bytes|characters)/);
    }
    expect(fs.readdirSync(dir)).not.toContain('x');
    // data to the kernel keeps every byte
    const file = path.join(dir, 'xattr-with-nul');
    fs.writeFileSync(file, '');
    if (isRoot) {
      native.lsetxattr(file, 'trusted.ovl-test', Buffer.from('a\0b'), 0);
      expect(native.lgetxattr(file, 'trusted.ovl-test')).toEqual(Buffer.from('a\0b'));
    }
  });

  it('the async form rejects with the TypeError instead of throwing', async () => {
    const promise = native.umount2Async(123, 0);
    expect(promise).toBeInstanceOf(Promise);
    const e = await catchAsync(promise);
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/^umount2Async: target must be a string or Buffer/);
  });

  it('rejects non-integral and out-of-range numbers with RangeError', () => {
    expect(() => native.umount2(dir, 1.5)).toThrow(RangeError);
    expect(() => native.mknod(path.join(dir, 'n'), -1, 0, 0)).toThrow(RangeError);
    expect(() => native.listDir(dir, -1)).toThrow(RangeError);
  });
});
