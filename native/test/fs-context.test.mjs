// The new mount API without attaching anything: every case fails before move_mount.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { C, catchAsync, catchSync, expectNativeError, isRoot, makeTempDir, native, removeTempDir } from './helpers.mjs';

let dir;
beforeAll(() => {
  dir = makeTempDir();
  for (const d of ['lower', 'upper', 'work', 'target']) fs.mkdirSync(path.join(dir, d));
  fs.symlinkSync('lower', path.join(dir, 'lower-link'));
});
afterAll(() => removeTempDir(dir));

const plan = (params, extra = {}) => ({
  fstype: 'overlay', params, attrs: 0, target: path.join(dir, 'target'), ...extra,
});

describe.runIf(isRoot)('raw fs_context calls (root)', () => {
  it('fsopen returns an fd; an unknown key carries the kernel message', () => {
    const fd = native.fsopen('overlay', C.FSOPEN_CLOEXEC);
    try {
      expect(Number.isInteger(fd) && fd > 2).toBe(true);
      const e = catchSync(() => native.fsconfig(fd, C.FSCONFIG_SET_FLAG, 'bogus', null, 0));
      expectNativeError(expect, e, { errno: 22, code: 'EINVAL', syscall: 'fsconfig', key: 'bogus' });
      expect(e.kernelMessages).toContainEqual(expect.stringContaining("Unknown parameter 'bogus'"));
      expect(e.kernelMessages.every((m) => !m.endsWith('\n'))).toBe(true);
      expect(native.readFsLog(fd)).toEqual([]); // the error already drained it
    } finally {
      native.close(fd);
    }
  });

  it('fsconfigAsync rejects with the log too', async () => {
    const fd = native.fsopen('overlay', C.FSOPEN_CLOEXEC);
    try {
      const e = await catchAsync(native.fsconfigAsync(fd, C.FSCONFIG_SET_STRING, 'redirect_dir', 'nonsense', 0));
      expectNativeError(expect, e, { code: 'EINVAL', syscall: 'fsconfig', key: 'redirect_dir' });
      expect(e.kernelMessages.join('\n')).toMatch(/Bad value for 'redirect_dir'/);
    } finally {
      native.close(fd);
    }
  });

  it('readFsLog returns what the kernel logged', () => {
    const fd = native.fsopen('overlay', C.FSOPEN_CLOEXEC);
    try {
      expect(native.readFsLog(fd)).toEqual([]);
      // fsmount before CMD_CREATE is refused; the message (if any) stays in the log.
      expect(catchSync(() => native.fsmount(fd, C.FSMOUNT_CLOEXEC, 0)).syscall).toBe('fsmount');
    } finally {
      native.close(fd);
    }
  });

  it('fsopen of an unknown filesystem is ENODEV', () => {
    expectNativeError(expect, catchSync(() => native.fsopen('no-such-fs', 0)), {
      errno: 19, code: 'ENODEV', syscall: 'fsopen', kernelMessages: [],
    });
  });

  it('never reads from an fd that is not an fs_context', () => {
    const file = path.join(dir, 'not-a-context');
    fs.writeFileSync(file, 'e overlay: this must not be read\n');
    const fd = fs.openSync(file, 'r');
    try {
      const e = catchSync(() => native.fsconfig(fd, C.FSCONFIG_SET_FLAG, 'ro', null, 0));
      expectNativeError(expect, e, { code: 'EINVAL', syscall: 'fsconfig', kernelMessages: [] });
    } finally {
      fs.closeSync(fd);
    }
  });

  it('moveMount errors name both paths', () => {
    const to = path.join(dir, 'target');
    const e = catchSync(() => native.moveMount(-1, 'nowhere', C.AT_FDCWD, to, 0));
    expectNativeError(expect, e, { syscall: 'move_mount', path: 'nowhere', dest: to });
  });

  it('close of a bad fd is EBADF', () => {
    expectNativeError(expect, catchSync(() => native.close(987654)), { code: 'EBADF', syscall: 'close' });
  });
});

describe.runIf(isRoot)('fsmountPlan failures (root)', () => {
  it('a missing layer fails at open-layer', () => {
    const missing = path.join(dir, 'missing');
    const e = catchSync(() => native.fsmountPlan(plan([
      { type: 'path', key: 'lowerdir+', value: path.join(dir, 'lower') },
      { type: 'path', key: 'lowerdir+', value: missing },
    ])));
    expectNativeError(expect, e, {
      errno: 2, code: 'ENOENT', syscall: 'open', step: 'open-layer', key: 'lowerdir+', paramIndex: 1, path: missing,
    });
  });

  it('noFollow refuses a symlinked layer', () => {
    const link = path.join(dir, 'lower-link');
    const e = catchSync(() => native.fsmountPlan(plan([{ type: 'path', key: 'lowerdir+', value: link, noFollow: true }])));
    expectNativeError(expect, e, { step: 'open-layer', syscall: 'open', path: link });
    expect(['ELOOP', 'ENOTDIR']).toContain(e.code);
  });

  it('a bad string value fails at fsconfig with the kernel message', () => {
    const e = catchSync(() => native.fsmountPlan(plan([
      { type: 'path', key: 'lowerdir+', value: path.join(dir, 'lower') },
      { type: 'string', key: 'redirect_dir', value: 'nonsense' },
    ])));
    expectNativeError(expect, e, {
      errno: 22, code: 'EINVAL', syscall: 'fsconfig', step: 'fsconfig', key: 'redirect_dir', paramIndex: 1, path: 'nonsense',
    });
    expect(e.kernelMessages.join('\n')).toMatch(/Bad value/);
  });

  it('an unknown flag has no path', async () => {
    const e = await catchAsync(native.fsmountPlanAsync(plan([{ type: 'flag', key: 'bogus' }])));
    expectNativeError(expect, e, { step: 'fsconfig', key: 'bogus', paramIndex: 0 });
    expect(e).not.toHaveProperty('path');
    expect(e.kernelMessages).toContainEqual(expect.stringContaining("Unknown parameter 'bogus'"));
  });

  it('a plan without layers fails at create', () => {
    const e = catchSync(() => native.fsmountPlan(plan([])));
    expectNativeError(expect, e, { code: 'EINVAL', syscall: 'fsconfig', step: 'create' });
    expect(e).not.toHaveProperty('key');
    expect(e).not.toHaveProperty('paramIndex');
  });

  it('an unknown filesystem fails at fsopen', () => {
    const e = catchSync(() => native.fsmountPlan({ ...plan([]), fstype: 'no-such-fs' }));
    expectNativeError(expect, e, { code: 'ENODEV', syscall: 'fsopen', step: 'fsopen', kernelMessages: [] });
  });

  it('a bad caller fd fails at fsconfig', () => {
    const e = catchSync(() => native.fsmountPlan(plan([{ type: 'fd', key: 'upperdir', fd: 987654 }])));
    expectNativeError(expect, e, { code: 'EBADF', step: 'fsconfig', key: 'upperdir', paramIndex: 0 });
    expect(e).not.toHaveProperty('path');
  });

  it('closes every fd it opened, on every path', () => {
    const before = fs.readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 50; i++) {
      catchSync(() => native.fsmountPlan(plan([
        { type: 'path', key: 'lowerdir+', value: path.join(dir, 'lower') },
        { type: 'string', key: 'redirect_dir', value: 'nonsense' },
      ])));
      catchSync(() => native.fsmountPlan(plan([{ type: 'path', key: 'lowerdir+', value: path.join(dir, 'nope') }])));
    }
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });
});
