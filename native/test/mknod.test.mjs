import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { C, catchSync, expectNativeError, isRoot, makeTempDir, native, removeTempDir } from './helpers.mjs';

let dir;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeTempDir(dir));

describe('mknod', () => {
  it.runIf(isRoot)('creates a 0/0 character device, an overlayfs whiteout (root)', () => {
    const whiteout = path.join(dir, 'whiteout');
    native.mknod(whiteout, C.S_IFCHR | 0o600, 0, 0);
    const st = fs.lstatSync(whiteout);
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(0);
    expectNativeError(expect, catchSync(() => native.mknod(whiteout, C.S_IFCHR, 0, 0)), {
      errno: 17, code: 'EEXIST', syscall: 'mknod', path: whiteout,
    });
  });

  it('creates a FIFO asynchronously', async () => {
    const fifo = path.join(dir, 'fifo');
    await native.mknodAsync(fifo, C.S_IFIFO | 0o644, 0, 0);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });
});
